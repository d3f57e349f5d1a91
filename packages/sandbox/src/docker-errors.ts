import { type DockyardError, dockyardError } from "@dockyard/protocol";

interface DockerLikeError {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
  message?: string;
}

/** Converts an error from dockerode into one of ours, where it enters our code. */
export function fromDockerError(error: unknown, context: string): DockyardError {
  const e = (error ?? {}) as DockerLikeError;
  const detail = e.json?.message ?? e.message ?? String(error);
  if (e.code === "ECONNREFUSED" || e.code === "ENOENT" || e.code === "EACCES" || e.code === "ECONNRESET") {
    return dockyardError("DOCKER_UNAVAILABLE", `The Docker engine does not answer (${e.code}) while ${context}.`);
  }
  if (e.statusCode === 404) return dockyardError("NOT_FOUND", `${context}: ${detail}`);
  if (e.statusCode === 409) return dockyardError("CONFLICT", `${context}: ${detail}`);
  return dockyardError("SANDBOX_FAILED", `${context}: ${detail}`);
}
