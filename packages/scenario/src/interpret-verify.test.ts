import { describe, expect, it } from "vitest";
import { interpretVerify, VERIFY_NOT_YET, VERIFY_PASSED, VERIFY_TIMED_OUT } from "./interpret-verify.ts";

const run = { stdout: "", stderr: "", timedOut: false };

describe("interpretVerify, exit-code protocol (Killercoda)", () => {
  const script = "#!/bin/bash\nstat /etc/panda\n";

  it("passes on exit 0 without any output", () => {
    expect(interpretVerify({ ...run, script, exitCode: 0 })).toEqual({
      passed: true,
      message: VERIFY_PASSED,
      protocol: "exit-code",
    });
  });

  it("fails on a non-zero exit, and when the script did not exit normally", () => {
    expect(interpretVerify({ ...run, script, exitCode: 1 })).toMatchObject({ passed: false, message: VERIFY_NOT_YET });
    expect(interpretVerify({ ...run, script, exitCode: null })).toMatchObject({ passed: false });
  });
});

describe("interpretVerify, echo-done protocol (old Katacoda)", () => {
  it.each([
    '[ -d /home/scrapbook/tutorial/.git ] && echo "done"',
    "test -f /tmp/x && echo done",
    "test -f /tmp/x && echo 'done'",
  ])("needs exit 0 and a stdout line 'done': %s", (script) => {
    expect(interpretVerify({ ...run, script, exitCode: 0, stdout: "" })).toMatchObject({
      passed: false,
      message: VERIFY_NOT_YET,
      protocol: "echo-done",
    });
    expect(interpretVerify({ ...run, script, exitCode: 0, stdout: "checking\ndone\n" })).toMatchObject({
      passed: true,
      protocol: "echo-done",
    });
    expect(interpretVerify({ ...run, script, exitCode: 1, stdout: "done\n" }).passed).toBe(false);
  });

  it("does not mistake other words for the protocol", () => {
    for (const script of ['echo "done yet?"', "echo doneness", "echo undone", "# all done"]) {
      expect(interpretVerify({ ...run, script, exitCode: 0 })).toMatchObject({ passed: true, protocol: "exit-code" });
    }
  });

  it("does not accept done as part of a longer line", () => {
    const script = "echo done";
    expect(interpretVerify({ ...run, script, exitCode: 0, stdout: "not done\n" }).passed).toBe(false);
    expect(interpretVerify({ ...run, script, exitCode: 0, stdout: "  done \r\n" }).passed).toBe(true);
  });
});

describe("interpretVerify failure messages", () => {
  const script = "exit 1";

  it("prefers the reason written to $VERIFICATION_FAILURE_REASON, trimmed", () => {
    const verdict = interpretVerify({
      ...run,
      script,
      exitCode: 1,
      stdout: "FAIL: from stdout",
      failureReason: "  /root/pid1.txt is empty\n",
    });
    expect(verdict).toMatchObject({ passed: false, message: "/root/pid1.txt is empty" });
  });

  it("falls back to the text after the last FAIL: line of stdout or stderr", () => {
    expect(interpretVerify({ ...run, script, exitCode: 1, stdout: "FAIL: first\nFAIL: second\nbye\n" }).message).toBe(
      "second",
    );
    expect(interpretVerify({ ...run, script, exitCode: 1, stderr: "  FAIL:   on stderr  \n" }).message).toBe(
      "on stderr",
    );
    expect(interpretVerify({ ...run, script, exitCode: 1, failureReason: "   ", stdout: "FAIL: x\n" }).message).toBe(
      "x",
    );
  });

  it("uses a friendly default when the script said nothing useful", () => {
    expect(interpretVerify({ ...run, script, exitCode: 2, stdout: "FAIL:\nnope\n" }).message).toBe(VERIFY_NOT_YET);
    expect(VERIFY_NOT_YET).toBe("Not yet: the check did not pass.");
  });

  it("says so when the check timed out, even if it printed a reason or exited 0", () => {
    const verdict = interpretVerify({ ...run, script, exitCode: 0, timedOut: true, failureReason: "whatever" });
    expect(verdict).toMatchObject({ passed: false, message: VERIFY_TIMED_OUT });
    expect(VERIFY_TIMED_OUT).toBe("The check took too long and was stopped.");
  });
});
