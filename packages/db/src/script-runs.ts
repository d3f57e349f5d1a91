import type { Db } from "./client.ts";

/** Output kept per stream: the end of it, where errors are. */
export const SCRIPT_OUTPUT_KEEP = 16 * 1024;
/** Runs kept per session: the newest; challenges poll their check every few seconds. */
export const SCRIPT_RUNS_KEEP = 200;

// PostgreSQL's text cannot hold NUL, which programs do print; it shows as U+FFFD on either database.
const printable = (text: string) => text.replaceAll("\u0000", "\uFFFD");
const tail = (text: string) =>
  printable(text.length > SCRIPT_OUTPUT_KEEP ? `[…cut…]\n${text.slice(text.length - SCRIPT_OUTPUT_KEEP)}` : text);

export interface ScriptRunInput {
  sessionId: string;
  step?: number;
  kind: "verify" | "hint" | "background" | "file-block";
  host?: string;
  exitCode?: number | null;
  timedOut?: boolean;
  durationMs?: number;
  stdout?: string;
  stderr?: string;
  error?: string;
}

/** Keeps a script's outcome and output for the scenario's author; older runs of the session beyond the cap go. */
export async function recordScriptRun(db: Db, input: ScriptRunInput) {
  const run = await db.scriptRun.create({
    data: {
      sessionId: input.sessionId,
      step: input.step ?? null,
      kind: input.kind,
      host: input.host ?? "host01",
      exitCode: input.exitCode ?? null,
      timedOut: input.timedOut ?? false,
      durationMs: Math.round(input.durationMs ?? 0),
      stdout: tail(input.stdout ?? ""),
      stderr: tail(input.stderr ?? ""),
      error: input.error === undefined ? null : printable(input.error),
    },
  });
  const [oldestKept] = await db.scriptRun.findMany({
    where: { sessionId: input.sessionId },
    orderBy: { id: "desc" },
    skip: SCRIPT_RUNS_KEEP - 1,
    take: 1,
    select: { id: true },
  });
  if (oldestKept) await db.scriptRun.deleteMany({ where: { sessionId: input.sessionId, id: { lt: oldestKept.id } } });
  return run;
}

/** The newest runs of a session first. */
export function listScriptRuns(db: Db, sessionId: string, take = 50) {
  return db.scriptRun.findMany({ where: { sessionId }, orderBy: { id: "desc" }, take });
}

/** A stopped session's runs go with it: the log is for the sandbox that is running. */
export function deleteScriptRuns(db: Db, sessionId: string) {
  return db.scriptRun.deleteMany({ where: { sessionId } });
}
