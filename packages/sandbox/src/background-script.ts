import { backgroundName, dockyardError, err, ok, type Result, type RunScriptResult } from "@dockyard/protocol";
import type { ScriptRun } from "./sandbox-driver.ts";

/** A page's background script: a Killercoda-style name, which also names its log file. */
export type BackgroundRun = Omit<ScriptRun, "timeoutMs"> & { name: string };

/**
 * Starts a background script through a driver's own `runScript`, detached, its output in
 * /var/log/killercoda/<name>.log, and answers with its pid. `ownSession`: in a session of its own (setsid), for
 * drivers whose connection's end would otherwise take the script with it (ssh).
 */
export async function startBackground(
  runScript: (run: ScriptRun) => Promise<Result<RunScriptResult>>,
  run: BackgroundRun,
  ownSession = false,
): Promise<Result<{ pid: number }>> {
  if (!backgroundName.safeParse(run.name).success) {
    return err(dockyardError("BAD_REQUEST", `Bad background script name ${run.name}.`));
  }
  const log = `/var/log/killercoda/${run.name}.log`;
  const started = await runScript({
    ...run,
    env: { ...run.env, DOCKYARD_SCRIPT: run.script },
    script: `mkdir -p /var/log/killercoda; ${ownSession ? "setsid " : ""}nohup bash -c "$DOCKYARD_SCRIPT" > ${log} 2>&1 < /dev/null & echo $!`,
    timeoutMs: 10_000,
  });
  if (!started.ok) return started;
  const pid = Number(started.value.stdout.trim());
  if (!Number.isInteger(pid) || pid <= 0) {
    return err(dockyardError("SANDBOX_FAILED", `The background script did not start: ${started.value.stderr.trim()}`));
  }
  return ok({ pid });
}
