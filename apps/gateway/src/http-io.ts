import type { IncomingMessage, ServerResponse } from "node:http";
import { type DockyardError, dockyardError, err, httpStatusOf, ok, type Result } from "@dockyard/protocol";
import type { z } from "zod";

const MAX_BODY_BYTES = 512 * 1024;

/** Reads and validates a JSON body; too large, not JSON or the wrong shape is BAD_REQUEST. */
export async function readJson<T extends z.ZodType>(
  req: IncomingMessage,
  schema: T,
  maxBytes = MAX_BODY_BYTES,
): Promise<Result<z.output<T>>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) return err(dockyardError("BAD_REQUEST", "Request body too large."));
    chunks.push(chunk as Buffer);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  } catch {
    return err(dockyardError("BAD_REQUEST", "Request body is not JSON."));
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ");
    return err(dockyardError("BAD_REQUEST", issues));
  }
  return ok(parsed.data);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The error's status and body; a limit says when to try again (Retry-After). */
export function sendError(res: ServerResponse, error: DockyardError): void {
  const retry: Record<string, string> =
    error.retryAfterSeconds === undefined ? {} : { "retry-after": String(error.retryAfterSeconds) };
  // The code rides along in a header (set, so that getHeader sees it), for whoever counts errors (metrics).
  res.setHeader("x-dockyard-error", error.code);
  sendJson(res, httpStatusOf(error.code), { error }, retry);
}

/** 200 with the value, or the error's status with the error. */
export function sendResult<T>(res: ServerResponse, result: Result<T>): void {
  if (result.ok) sendJson(res, 200, result.value);
  else sendError(res, result.error);
}
