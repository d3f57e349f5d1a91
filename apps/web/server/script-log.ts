import "server-only";
import { recordScriptRun, type ScriptRunInput } from "@dockyard/db";
import type { RunScriptRequest } from "@dockyard/protocol";
import { db } from "./db.ts";
import { env } from "./env.ts";
import { runScript } from "./gateway-client.ts";

/**
 * Runs a script in the sandbox and, in authoring mode, keeps its outcome and output for the scenario's author (the
 * player's Script log). Keeping it never fails the run.
 */
export async function runLogged(
  sessionId: string,
  request: RunScriptRequest,
  meta: { kind: ScriptRunInput["kind"]; step?: number },
) {
  const started = performance.now();
  const run = await runScript(sessionId, request);
  if (!env().DOCKYARD_AUTHORING) return run;
  const outcome = run.ok
    ? { ...run.value, exitCode: run.value.exitCode }
    : { error: run.error.message, durationMs: performance.now() - started };
  await recordScriptRun(db(), { sessionId, host: request.host, ...meta, ...outcome }).catch((error: unknown) =>
    console.error("[web] keeping a script's output failed", error),
  );
  return run;
}
