export interface VerifyRun {
  /** The verify script's content, to pick the protocol. */
  script: string;
  /** null when the script did not exit normally (killed, or never started). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** What the script wrote to the file named by `$VERIFICATION_FAILURE_REASON`. */
  failureReason?: string;
}

export interface VerifyVerdict {
  passed: boolean;
  /** Shown to the learner. */
  message: string;
  /** `echo-done`: old Katacoda scripts that print `done`; `exit-code`: exit 0 passes. */
  protocol: "echo-done" | "exit-code";
}

export const VERIFY_PASSED = "Well done: the check passed.";
export const VERIFY_NOT_YET = "Not yet: the check did not pass.";
export const VERIFY_TIMED_OUT = "The check took too long and was stopped.";

/** `echo done`, `echo "done"` or `echo 'done'`, not `echo done-ish` or `echo "done yet"`. */
const ECHO_DONE = /\becho\s+(?:done|"done"|'done')(?![\w"'-])/;

/**
 * Decides whether a verify script passed. A script that echoes `done` (old Katacoda) passes only with exit 0 and a
 * stdout line `done`; any other passes with exit 0. A failure shows the script's own reason when it gave one.
 */
export function interpretVerify(run: VerifyRun): VerifyVerdict {
  const protocol = ECHO_DONE.test(run.script) ? "echo-done" : "exit-code";
  if (run.timedOut) return { passed: false, message: VERIFY_TIMED_OUT, protocol };

  const printedDone = run.stdout.split(/\r?\n/).some((line) => line.trim() === "done");
  const passed = run.exitCode === 0 && (protocol === "exit-code" || printedDone);
  if (passed) return { passed, message: VERIFY_PASSED, protocol };

  const reason = run.failureReason?.trim() || lastFailLine(`${run.stdout}\n${run.stderr}`) || VERIFY_NOT_YET;
  return { passed, message: reason, protocol };
}

/** The text after `FAIL:` on the last line that starts with it, or undefined. */
function lastFailLine(output: string): string | undefined {
  const lines = output.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = /^\s*FAIL:\s*(.*)$/.exec(lines[i] ?? "");
    const text = match?.[1]?.trim();
    if (text) return text;
  }
  return undefined;
}
