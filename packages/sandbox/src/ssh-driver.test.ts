import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TerminalStream } from "./sandbox-driver.ts";
import { SshDriver } from "./ssh-driver.ts";
import { parseSshPools } from "./ssh-pools.ts";
import { type SshdTestHosts, startSshdHosts } from "./sshd-test-hosts.ts";

// The ssh driver against two real sshd machines (containers of docker/sshd-host): sessions take machines from the
// pool, terminals and scripts run on them over ssh, and giving a session back resets its machines.
const run = randomBytes(4).toString("hex");
// A real reset: what a learner left in /root and /tmp goes, and so do their tmux sessions. A machine carrying
// /etc/break-reset makes it fail (a machine that cannot be restored).
const RESET = `$DOCKYARD_SSH 'test ! -e /etc/break-reset' && $DOCKYARD_SSH 'pkill -x tmux; rm -rf /root/* /tmp/* /var/log/killercoda; true'`;
let sshd: SshdTestHosts;
let driver: SshDriver;
let stateFile = "";
const id = (n: number) => `s-ssh-${run}-${n}`;
const lab = (n: number, hosts = ["host01", "host02"]) => ({
  sessionId: id(n),
  userId: "learner",
  scenario: "ssh-lab",
  hosts: hosts.map((name) => ({ name, image: "ssh://lab" })),
});

function driverOn(file: string, extra?: Record<string, unknown>) {
  const parsed = parseSshPools(sshd.pools("lab", RESET, extra));
  if (!parsed.ok) throw new Error(parsed.error);
  return new SshDriver({ pools: parsed.pools, stateFile: file, warmPoolOwner: "dockyard-pool" });
}

async function until(predicate: () => boolean, what: () => string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A terminal's output as text, growing. */
function collect(terminal: TerminalStream) {
  let text = "";
  terminal.onData((chunk) => {
    text += chunk.toString("utf8");
  });
  return {
    text: () => text,
    waitFor: (needle: string | RegExp, ms?: number) =>
      until(
        () => (typeof needle === "string" ? text.includes(needle) : needle.test(text)),
        () => `${needle} in ${JSON.stringify(text.slice(-500))}`,
        ms,
      ),
  };
}

async function script(sessionId: string, host: string, body: string, timeoutMs = 10_000) {
  const result = await driver.runScript({ sessionId, host, script: body, timeoutMs, env: {} });
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

const states = () => driver.machines.status().map((s) => `${s.machine.name}:${s.state}`);

beforeAll(async () => {
  sshd = await startSshdHosts(run, 2);
  stateFile = join(sshd.dir, "state", "machines.json");
  driver = driverOn(stateFile);
}, 60_000);

afterAll(async () => {
  await driver?.settled();
  await sshd?.stop();
});

describe("a session on the ssh pool", () => {
  it("takes one machine per host, and a session the pool cannot serve is refused clearly", async () => {
    const events: string[] = [];
    const made = await driver.createSession(lab(1), (e) => events.push(e.type === "progress" ? e.message : e.type));
    if (!made.ok) throw new Error(made.error.message);
    expect(made.value.hosts.map((h) => [h.name, h.running])).toEqual([
      ["host01", true],
      ["host02", true],
    ]);
    expect(new Set(made.value.hosts.map((h) => h.ip))).toEqual(new Set(sshd.hosts.map((h) => h.address)));
    expect(states()).toEqual(["m1:held", "m2:held"]);
    expect(events).toContain("Connecting to host02");

    const third = await driver.createSession(lab(2, ["host01"]), () => undefined);
    expect(third.ok).toBe(false);
    if (!third.ok) {
      expect(third.error.code).toBe("LIMIT_REACHED");
      expect(third.error.message).toMatch(/^No free machines in pool lab: this lab needs 1, 0 of 2 are free/);
    }
    // The gateway's warm pool gets no machines at all.
    const warm = await driver.createSession({ ...lab(3, ["host01"]), userId: "dockyard-pool" }, () => undefined);
    expect(warm.ok).toBe(false);

    const listed = await driver.listSessions();
    expect(listed.ok && listed.value).toEqual([
      expect.objectContaining({ sessionId: id(1), userId: "learner", scenario: "ssh-lab", containers: 2, running: 2 }),
    ]);
  });

  it("names the session's hosts on each machine, so they reach each other as host01 and host02", async () => {
    const [one, two] = sshd.hosts;
    const hosts = await script(id(1), "host02", "getent hosts host01 host02");
    expect(hosts.stdout).toContain(`${one?.address}`);
    expect(hosts.stdout).toMatch(new RegExp(`${two?.address.replace(/\./g, "\\.")}\\s+host02`));
  });

  it("runs a terminal on host01: what is typed runs there and its output comes back", async () => {
    const opened = await driver.openTerminal({ sessionId: id(1), host: "host01", cols: 100, rows: 30 });
    if (!opened.ok) throw new Error(opened.error.message);
    const terminal = opened.value;
    const out = collect(terminal);
    let exit: number | null | undefined;
    terminal.onExit((code) => {
      exit = code;
    });
    terminal.write("echo answer-$((6*7)) on $DOCKYARD_HOST; stty size\r");
    await out.waitFor("answer-42 on host01");
    await out.waitFor("30 100");
    await terminal.resize(120, 40);
    terminal.write("stty size\r");
    await out.waitFor("40 120");
    terminal.write("exit 7\r");
    await until(
      () => exit !== undefined,
      () => "the shell to end",
    );
    expect(exit).toBe(7);
  });

  it("keeps a named terminal's shell (tmux) across dispose and attach, and lets a watcher see it", async () => {
    const first = await driver.openTerminal({ sessionId: id(1), host: "host01", cols: 80, rows: 24, name: "main" });
    if (!first.ok) throw new Error(first.error.message);
    const firstOut = collect(first.value);
    first.value.write("export KEPT=kept-$((1+1)); cd /tmp\r");
    first.value.write("echo set-$KEPT\r");
    await firstOut.waitFor("set-kept-2");
    first.value.dispose();

    const again = await driver.openTerminal({ sessionId: id(1), host: "host01", cols: 80, rows: 24, name: "main" });
    if (!again.ok) throw new Error(again.error.message);
    const againOut = collect(again.value);
    const watcher = await driver.openTerminal({
      sessionId: id(1),
      host: "host01",
      cols: 50,
      rows: 10,
      name: "main",
      watch: true,
    });
    if (!watcher.ok) throw new Error(watcher.error.message);
    const watched = collect(watcher.value);
    await new Promise((r) => setTimeout(r, 300));
    again.value.write("echo still-$KEPT in $(pwd)\r");
    await againOut.waitFor("still-kept-2 in /tmp");
    await watched.waitFor("still-kept-2 in /tmp");
    again.value.dispose();
    watcher.value.dispose();
    // A watcher has nothing to attach to when the terminal does not exist.
    const none = await driver.openTerminal({
      sessionId: id(1),
      host: "host01",
      cols: 80,
      rows: 24,
      name: "x",
      watch: true,
    });
    if (!none.ok) throw new Error(none.error.message);
    let ended: number | null | undefined;
    none.value.onExit((code) => {
      ended = code;
    });
    await until(
      () => ended !== undefined,
      () => "the watcher to end",
    );
    expect(ended).not.toBe(0);
  });

  it("runs a script on host02 with its environment, and brings back output, exit code and failure reason", async () => {
    const result = await driver.runScript({
      sessionId: id(1),
      host: "host02",
      script: `echo "on $DOCKYARD_HOST: $GREETING"; echo to-stderr >&2; hostname > /root/where
echo "the reason" > "$VERIFICATION_FAILURE_REASON"; exit 3`,
      env: { GREETING: `it's "quoted" $HOME \`no\` $(no)\nsecond line` },
      timeoutMs: 10_000,
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({
      exitCode: 3,
      stdout: `on host02: it's "quoted" $HOME \`no\` $(no)\nsecond line\n`,
      stderr: "to-stderr\n",
      timedOut: false,
      failureReason: "the reason",
    });
    // It ran on the machine that is host02, not on the gateway.
    const host02 = sshd.hosts.find((h) => h.address === (driver.machines.session(id(1)) ?? [])[1]?.machine.address);
    if (!host02) throw new Error("no machine for host02");
    expect((await sshd.exec(host02, "cat /root/where")).trim()).toBe((await sshd.exec(host02, "hostname")).trim());

    const quiet = await script(id(1), "host02", "printf 'no newline'; exit 0");
    expect(quiet).toMatchObject({ exitCode: 0, stdout: "no newline", stderr: "" });
    const big = await script(id(1), "host02", "head -c 200000 /dev/zero | tr '\\0' x; exit 5");
    expect(big.exitCode).toBe(5);
    expect(big.stdout.length).toBe(64 * 1024);
  });

  it("stops a script at its timeout, on the machine", async () => {
    const started = Date.now();
    const result = await script(id(1), "host01", "sleep 30; echo never", 1000);
    expect(result).toMatchObject({ timedOut: true, stdout: "" });
    expect(Date.now() - started).toBeLessThan(8000);
    const left = await script(id(1), "host01", "pgrep -x sleep || echo none");
    expect(left.stdout.trim()).toBe("none");
  });

  it("writes files with putFiles, and starts background scripts that log to /var/log/killercoda", async () => {
    const put = await driver.putFiles(id(1), "host02", [
      { path: "/root/lab/deep/config.yaml", content: Buffer.from("kind: Lab\n"), mode: 0o600 },
      { path: "/tmp/run.sh", content: Buffer.from("#!/bin/sh\necho ran\n"), mode: 0o755 },
    ]);
    expect(put).toEqual({ ok: true, value: { files: 2 } });
    const seen = await script(
      id(1),
      "host02",
      "cat /root/lab/deep/config.yaml; stat -c '%a %U' /root/lab/deep/config.yaml /tmp; /tmp/run.sh",
    );
    expect(seen.stdout).toBe("kind: Lab\n600 root\n1777 root\nran\n");

    const bg = await driver.runBackground({
      sessionId: id(1),
      host: "host01",
      name: "setup",
      script: "echo begun; sleep 1; echo finished",
      env: {},
    });
    expect(bg.ok && bg.value.pid).toBeGreaterThan(0);
    const deadline = Date.now() + 10_000;
    let log = "";
    while (!log.includes("finished") && Date.now() < deadline) {
      log = (await script(id(1), "host01", "cat /var/log/killercoda/setup.log 2>/dev/null || true")).stdout;
    }
    expect(log).toBe("begun\nfinished\n");
  });

  it("runs a verify that fails before the learner's solve and passes after it", async () => {
    const verify = `test -f /root/solved && grep -q '^yes$' /root/solved || { echo "Create /root/solved saying yes." > "$VERIFICATION_FAILURE_REASON"; exit 1; }`;
    const before = await script(id(1), "host01", verify);
    expect(before).toMatchObject({ exitCode: 1, failureReason: "Create /root/solved saying yes." });
    const opened = await driver.openTerminal({ sessionId: id(1), host: "host01", cols: 80, rows: 24 });
    if (!opened.ok) throw new Error(opened.error.message);
    const out = collect(opened.value);
    opened.value.write("echo yes > /root/solved && echo solved-$((2+3))\r");
    await out.waitFor("solved-5");
    opened.value.dispose();
    const after = await script(id(1), "host01", verify);
    expect(after).toMatchObject({ exitCode: 0, failureReason: undefined });
  });

  it("remembers which session holds which machine across a restart", async () => {
    const restarted = driverOn(stateFile);
    expect(restarted.holds(id(1))).toBe(true);
    const state = await restarted.inspectSession(id(1));
    expect(state.ok && state.value.hosts.map((h) => h.name)).toEqual(["host01", "host02"]);
    const refused = await restarted.createSession(lab(4, ["host01"]), () => undefined);
    expect(!refused.ok && refused.error.code).toBe("LIMIT_REACHED");
  });

  it("resets both machines when the session is removed, and hands them out again", async () => {
    const removed = await driver.removeSession(id(1));
    expect(removed).toEqual({ ok: true, value: { containers: 2, networks: 0 } });
    // The session is gone at once; its machines come back once reset.
    expect(driver.holds(id(1))).toBe(false);
    expect(states()).toEqual(["m1:resetting", "m2:resetting"]);
    await driver.settled();
    expect(states()).toEqual(["m1:free", "m2:free"]);
    expect(driver.holds(id(1))).toBe(false);
    for (const host of sshd.hosts) {
      // The reset really ran: the learner's files and tmux sessions are gone.
      expect(await sshd.exec(host, "ls /root /tmp; pgrep -x tmux || true")).toBe("/root:\n\n/tmp:\n");
    }
    const inspected = await driver.inspectSession(id(1));
    expect(!inspected.ok && inspected.error.code).toBe("NOT_FOUND");
    const next = await driver.createSession(lab(5), () => undefined);
    expect(next.ok).toBe(true);
  });

  it("keeps a machine whose reset fails out of the pool, with the error, until a reset succeeds", async () => {
    const host02 = (driver.machines.session(id(5)) ?? []).find((h) => h.holding.host === "host02")?.machine;
    await script(id(5), "host02", "touch /etc/break-reset");
    await driver.removeSession(id(5));
    await driver.settled();
    const broken = driver.machines.status().find((s) => s.machine.name === host02?.name);
    expect(broken).toMatchObject({
      state: "unusable",
      error: expect.stringMatching(/^the reset command ended with 1/),
    });
    expect(driver.machines.status().filter((s) => s.state === "free")).toHaveLength(1);

    const refused = await driver.createSession(lab(6), () => undefined);
    expect(!refused.ok && refused.error.message).toMatch(/1 of 2 are free .*1 unusable/);

    const fixed = sshd.hosts.find((h) => h.name === host02?.name);
    if (!fixed) throw new Error("no such machine");
    await sshd.exec(fixed, "rm /etc/break-reset");
    await driver.recover();
    expect(states()).toEqual(["m1:free", "m2:free"]);
  });

  it("gives a clear error, soon, when a machine does not answer", async () => {
    const made = await driver.createSession(lab(7), () => undefined);
    if (!made.ok) throw new Error(made.error.message);
    const host02 = (driver.machines.session(id(7)) ?? []).find((h) => h.holding.host === "host02")?.machine;
    const frozen = sshd.hosts.find((h) => h.name === host02?.name);
    if (!frozen) throw new Error("no such machine");
    await sshd.docker.getContainer(frozen.container).pause();
    try {
      let started = Date.now();
      const result = await driver.runScript({
        sessionId: id(7),
        host: "host02",
        script: "true",
        env: {},
        timeoutMs: 5000,
      });
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(!result.ok && result.error).toMatchObject({
        code: "SANDBOX_FAILED",
        message: expect.stringMatching(/^host02 \(machine lab\/m\d at [\d.]+:22\) cannot be reached: .*time/i),
      });

      started = Date.now();
      const terminal = await driver.openTerminal({ sessionId: id(7), host: "host02", cols: 80, rows: 24 });
      if (!terminal.ok) throw new Error(terminal.error.message);
      const out = collect(terminal.value);
      let exit: number | null | undefined;
      terminal.value.onExit((code) => {
        exit = code;
      });
      await until(
        () => exit !== undefined,
        () => "the terminal to end",
        15_000,
      );
      expect(exit).toBe(255);
      expect(out.text()).toMatch(/time/i);

      // Given back, it cannot be reset while it does not answer: it is kept out of the pool.
      await driver.removeSession(id(7));
      await driver.settled();
      expect(driver.machines.status().find((s) => s.machine.name === frozen.name)?.state).toBe("unusable");
    } finally {
      await sshd.docker.getContainer(frozen.container).unpause();
    }
    await driver.recover();
    expect(states()).toEqual(["m1:free", "m2:free"]);
  });

  it("fails a start on a machine that does not answer, and gives the machines back", async () => {
    const [one] = sshd.hosts;
    if (!one) throw new Error("no machine");
    await sshd.docker.getContainer(one.container).pause();
    try {
      const started = Date.now();
      const made = await driver.createSession(lab(8), () => undefined);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(!made.ok && made.error.message).toMatch(/^host01 \(machine lab\/m1 at .*\) cannot be reached/);
      expect(driver.holds(id(8))).toBe(false);
      await driver.settled();
      expect(states()).toEqual(["m1:unusable", "m2:free"]);
    } finally {
      await sshd.docker.getContainer(one.container).unpause();
    }
    await driver.recover();
    expect(states()).toEqual(["m1:free", "m2:free"]);
  });
});
