import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import {
  type CreateSessionEvent,
  type DockyardError,
  dockyardError,
  err,
  type ImageInfo,
  type Log,
  ok,
  type Result,
  type RunScriptResult,
  type SessionState,
} from "@dockyard/protocol";
import { type BackgroundRun, startBackground } from "./background-script.ts";
import { boundedAll } from "./bounded-all.ts";
import { emptyHostStats } from "./container-stats.ts";
import { FIGURES_COMMAND, machineStatsOf } from "./machine-figures.ts";
import { type Holding, MachinePool, type MachineStatus } from "./machine-pool.ts";
import type {
  HostStats,
  SandboxDriver,
  ScriptRun,
  SessionSpec,
  SessionSummary,
  TerminalOptions,
  TerminalStream,
} from "./sandbox-driver.ts";
import { CHILD_ENV, type ProcessRun, runProcess, type SshTarget, shellQuote, sshArgs } from "./ssh-exec.ts";
import { type SshMachine, type SshPools, sshPoolOf } from "./ssh-pools.ts";
import { SshTerminal } from "./ssh-terminal.ts";
import { type ArchiveFile, tarArchive } from "./tar-archive.ts";

export interface SshDriverOptions {
  pools: SshPools;
  /** Which session holds which machine, kept across restarts (JSON); pinned host keys are written beside it. */
  stateFile: string;
  /**
   * Sessions for this owner get no machines: the gateway's warm pool. A machine waiting reset in its pool is as ready
   * as a warm one, and a warm session would hold machines nobody uses (and race learners for them).
   */
  warmPoolOwner?: string;
  /** The ssh client; default `ssh` (on the PATH of CHILD_ENV). */
  sshCommand?: string;
  log?: Log;
}

const OUTPUT_LIMIT = 64 * 1024;
/** Room at the end of a script's output for the trailer the wrapper writes (marker, exit code, reason). */
const TRAILER_ROOM = 8 * 1024;

/**
 * Runs on the machine (`bash -c`), its settings and the script on stdin as shell assignments: no scenario text is
 * ever part of a command line the machine's login shell parses. The script runs with stdin closed, under `timeout`
 * (the machine ends it even if the connection drops), and a trailer after its output tells its exit code and
 * failure reason apart from ssh's own.
 */
const SCRIPT_WRAPPER = `eval "$(cat)" || exit 125
timeout -k 2 "$DOCKYARD_SECONDS" bash -c "$DOCKYARD_RUN" < /dev/null
code=$?
printf '%s%s:' "$DOCKYARD_MARKER" "$code"
head -c 4096 "$VERIFICATION_FAILURE_REASON" 2>/dev/null
rm -f "$VERIFICATION_FAILURE_REASON"
exit "$code"`;

/**
 * A terminal's shell on the machine: a named terminal lives in a tmux session of that name (attaching again gives the
 * same shell and screen; hanging up leaves it running); a watcher attaches to one without changing its size.
 */
const TERMINAL_SCRIPT = `export LANG=C.UTF-8 COLORTERM=truecolor DOCKYARD_SESSION="$1" DOCKYARD_HOST="$2"
cd "$3" 2>/dev/null || cd
conf="$HOME/.dockyard/tmux.conf"; [ -f "$conf" ] || conf=/dev/null
case "$4" in
  watch) exec tmux -f "$conf" attach-session -f ignore-size -t "=$5" ;;
  named) command -v tmux >/dev/null && exec tmux -f "$conf" new-session -A -s "$5"; exec bash -l ;;
  *) exec bash -l ;;
esac`;

/** Dockyard's tmux settings (as docker/sandbox/tmux.conf): tmux out of sight, the browser's own scrollback. */
const TMUX_CONF = `set -g status off
set -g escape-time 0
set -g history-limit 10000
set -g default-terminal "screen-256color"
set -g default-command "exec bash -l"
set -ga terminal-overrides ",xterm*:smcup@:rmcup@"
set -ga terminal-overrides ",xterm-256color:Tc"
set -g mouse off
set -g set-clipboard off`;

/**
 * Prepares a machine for a session: the directories scenarios write to, the tmux settings, the working directory,
 * and the session's host names in /etc/hosts (lines marked `# dockyard`, replaced each time).
 */
const SETUP_SCRIPT = `set -e
mkdir -p /var/log/killercoda /etc/killercoda "$HOME/.dockyard"
if [ -n "$DOCKYARD_WORKDIR" ]; then mkdir -p "$DOCKYARD_WORKDIR"; fi
printf '%s\\n' "$DOCKYARD_TMUX_CONF" > "$HOME/.dockyard/tmux.conf"
hosts=$(grep -v ' # dockyard$' /etc/hosts || true)
for peer in $DOCKYARD_PEERS; do
  ip=$(getent ahosts "\${peer#*=}" | awk 'NR == 1 { print $1 }')
  if [ -n "$ip" ]; then hosts="$hosts
$ip \${peer%%=*} # dockyard"; fi
done
printf '%s\\n' "$hosts" > /etc/hosts`;

const where = (host: string, m: SshMachine) => `${host} (machine ${m.pool}/${m.name} at ${m.address}:${m.port})`;

/** The last non-empty line of ssh's complaint, or what is known without one. */
function sshProblem(run: ProcessRun): string {
  if (run.spawnError) return `the ssh client did not start (${run.spawnError})`;
  const lines = run.stderr.headBytes().toString("utf8").trim().split("\n");
  return lines.at(-1)?.trim() || `ssh ended with ${run.exitCode}`;
}

/**
 * The SandboxDriver for `ssh` environments: a session's hosts are whole machines (VMs, servers) from the admin's
 * pools, one machine per host. Terminals are the system ssh client in a pseudo-terminal; scripts, files and figures
 * go over ssh too. A session given back has each machine reset by the admin's command, which runs here on the
 * gateway (admin config, never scenario content); a machine whose reset fails is kept out as unusable.
 */
export class SshDriver implements SandboxDriver {
  readonly machines: MachinePool;
  private readonly pools: SshPools;
  private readonly knownHostsFile: string;
  private readonly ssh: string;
  private readonly resets = new Set<Promise<void>>();

  constructor(private readonly options: SshDriverOptions) {
    this.pools = options.pools;
    this.ssh = options.sshCommand ?? "ssh";
    this.machines = new MachinePool(options.pools, options.stateFile);
    // Pinned host keys go into a known_hosts file of the gateway's own, each under an alias of its machine.
    this.knownHostsFile = `${options.stateFile}.known_hosts`;
    const pinned = [...options.pools.values()]
      .flatMap((p) => p.machines)
      .flatMap((m) => (m.hostKey ? [`${aliasOf(m)} ${m.hostKey}`] : []));
    mkdirSync(dirname(this.knownHostsFile), { recursive: true });
    writeFileSync(this.knownHostsFile, pinned.map((line) => `${line}\n`).join(""), { mode: 0o600 });
  }

  private log(level: "info" | "warn" | "error", message: string, fields?: Record<string, unknown>) {
    this.options.log?.(level, message, fields);
  }

  /** Whether a session of this spec is made here: one of its hosts is a machine from an ssh pool. */
  serves(spec: SessionSpec): boolean {
    return spec.hosts.some((h) => sshPoolOf(h.image) !== undefined);
  }

  /** Whether a session holds machines here (known across restarts, from the state file). */
  holds(sessionId: string): boolean {
    return this.machines.session(sessionId) !== undefined;
  }

  servesImage(name: string): boolean {
    return sshPoolOf(name) !== undefined;
  }

  private target(machine: SshMachine): SshTarget {
    const connectTimeoutSeconds = this.pools.get(machine.pool)?.connectTimeoutSeconds ?? 10;
    return machine.hostKey
      ? { machine, knownHostsFile: this.knownHostsFile, hostKeyAlias: aliasOf(machine), connectTimeoutSeconds }
      : { machine, knownHostsFile: machine.knownHostsFile ?? "/dev/null", connectTimeoutSeconds };
  }

  async createSession(spec: SessionSpec, onEvent: (event: CreateSessionEvent) => void): Promise<Result<SessionState>> {
    if (this.options.warmPoolOwner !== undefined && spec.userId === this.options.warmPoolOwner) {
      return err(
        dockyardError("CONFLICT", "Machines from ssh pools are not kept warm: they wait reset in their pool."),
      );
    }
    const hosts: { pool: string; holding: Holding }[] = [];
    const created = new Date().toISOString();
    for (const host of spec.hosts) {
      const pool = sshPoolOf(host.image);
      if (pool === undefined) {
        return err(
          dockyardError("BAD_REQUEST", "A session's hosts are all machines from ssh pools, or all containers."),
        );
      }
      if (!this.machines.has(pool)) {
        return err(dockyardError("BAD_REQUEST", `There is no ssh pool ${pool} on this gateway.`));
      }
      hosts.push({
        pool,
        holding: {
          sessionId: spec.sessionId,
          host: host.name,
          userId: spec.userId,
          scenario: spec.scenario,
          created,
          ...(host.workdir ? { workdir: host.workdir } : {}),
        },
      });
    }
    const taken = this.machines.take(hosts);
    if (!taken.ok) return taken;

    // The machines are this session's from here; a setup that fails gives them back to be reset.
    const peers = taken.value.map(
      ({ machine, holding }) => `${holding.host}=${machine.peerAddress ?? machine.address}`,
    );
    const prepared = await Promise.all(
      taken.value.map(async ({ machine, holding }): Promise<DockyardError | undefined> => {
        onEvent({ type: "progress", phase: "starting", message: `Connecting to ${holding.host}` });
        const setup = await this.runOn(machine, holding, {
          script: SETUP_SCRIPT,
          env: {
            DOCKYARD_WORKDIR: holding.workdir ?? "",
            DOCKYARD_TMUX_CONF: TMUX_CONF,
            DOCKYARD_PEERS: peers.join(" "),
          },
          timeoutMs: 30_000,
        });
        if (!setup.ok) return setup.error;
        if (setup.value.exitCode !== 0) {
          return dockyardError(
            "SANDBOX_FAILED",
            `${where(holding.host, machine)} could not be prepared: ${setup.value.stderr.trim() || `exit ${setup.value.exitCode}`}`,
          );
        }
        return undefined;
      }),
    );
    const problem = prepared.find((e) => e !== undefined);
    if (problem) {
      // The caller hears at once; the resets go on meanwhile (the machines are out of the session already).
      void this.giveBack(spec.sessionId);
      return err(problem);
    }
    onEvent({ type: "progress", phase: "ready", message: "Machines ready" });
    return this.inspectSession(spec.sessionId);
  }

  async inspectSession(sessionId: string): Promise<Result<SessionState>> {
    const held = this.machines.session(sessionId);
    if (!held) return err(dockyardError("NOT_FOUND", `No sandbox for session ${sessionId}.`));
    return ok({
      sessionId,
      userId: held[0]?.holding.userId ?? "",
      // Where the gateway reaches it (port previews go there).
      hosts: held.map(({ machine, holding }) => ({ name: holding.host, running: true, ip: machine.address })),
    });
  }

  /**
   * Gives the session's machines back: it ends at once, and each machine is reset meanwhile (a VM revert may take
   * minutes; `settled()` waits for it), returning to its pool only if that succeeds. The state file records the
   * resets, so one a stop cuts short runs again at boot.
   */
  async removeSession(sessionId: string): Promise<Result<{ containers: number; networks: number }>> {
    const count = this.machines.session(sessionId)?.length ?? 0;
    void this.giveBack(sessionId);
    return ok({ containers: count, networks: 0 });
  }

  private giveBack(sessionId: string): Promise<void> {
    return this.resetAll(this.machines.release(sessionId), sessionId);
  }

  private resetAll(machines: SshMachine[], sessionId: string): Promise<void> {
    const work = Promise.all(machines.map((m) => this.reset(m, sessionId))).then(() => undefined);
    this.resets.add(work);
    void work.finally(() => this.resets.delete(work));
    return work;
  }

  /** Runs the admin's reset command for one machine, on the gateway, and files the outcome. */
  private async reset(machine: SshMachine, sessionId: string): Promise<void> {
    const pool = this.pools.get(machine.pool);
    if (!pool) return;
    const target = this.target(machine);
    const started = performance.now();
    const run = await runProcess("/bin/sh", ["-c", pool.reset.command], {
      deadlineMs: pool.reset.timeoutSeconds * 1000,
      outputLimit: 4096,
      tail: 2048,
      env: {
        ...CHILD_ENV,
        DOCKYARD_POOL: machine.pool,
        DOCKYARD_MACHINE: machine.name,
        DOCKYARD_ADDRESS: machine.address,
        DOCKYARD_PORT: String(machine.port),
        DOCKYARD_USER: machine.user,
        DOCKYARD_KEY_FILE: machine.keyFile,
        DOCKYARD_KNOWN_HOSTS: target.knownHostsFile,
        DOCKYARD_HOST_KEY_ALIAS: target.hostKeyAlias ?? "",
        DOCKYARD_SESSION: sessionId,
        // `$DOCKYARD_SSH command` runs a command on the machine as the gateway reaches it (the words are split on
        // spaces: the paths in the pools file have none).
        DOCKYARD_SSH: [this.ssh, ...sshArgs(target, "", { tty: false }).slice(0, -1)].join(" "),
      },
    });
    if (run.exitCode === 0) {
      this.machines.settle(machine);
      this.log("info", "machine reset", { machine: `${machine.pool}/${machine.name}`, ms: elapsed(started) });
      return;
    }
    const output = `${run.stderr.tailBytes().toString("utf8")}\n${run.stdout.tailBytes().toString("utf8")}`.trim();
    const why = run.spawnError
      ? `the reset command did not start (${run.spawnError})`
      : run.deadlineHit
        ? `the reset command took more than ${pool.reset.timeoutSeconds} s`
        : `the reset command ended with ${run.exitCode}`;
    const error = `${why}${output ? `: ${output.split("\n").slice(-5).join(" / ")}` : ""}`;
    this.machines.settle(machine, error);
    this.log("error", "machine reset failed: it is out of the pool", {
      machine: `${machine.pool}/${machine.name}`,
      error,
    });
  }

  /**
   * At boot: machines whose reset was cut short by a stop, and those whose reset failed, are reset again (an admin who
   * fixed a machine restarts the gateway, or calls this). Resolves when those resets are done.
   */
  recover(): Promise<void> {
    const again = [...this.machines.resetAgain("resetting"), ...this.machines.resetAgain("unusable")];
    return this.resetAll(again, "");
  }

  /** Resolves once every reset in flight has ended. */
  async settled(): Promise<void> {
    while (this.resets.size > 0) await Promise.all(this.resets);
  }

  private host(sessionId: string, host: string): Result<{ machine: SshMachine; holding: Holding }> {
    const held = this.machines.session(sessionId);
    if (!held) return err(dockyardError("NOT_FOUND", `No sandbox for session ${sessionId}.`));
    const found = held.find((h) => h.holding.host === host);
    return found ? ok(found) : err(dockyardError("NOT_FOUND", `No host ${host} in session ${sessionId}.`));
  }

  async runScript(run: ScriptRun): Promise<Result<RunScriptResult>> {
    const host = this.host(run.sessionId, run.host);
    if (!host.ok) return host;
    return this.runOn(host.value.machine, host.value.holding, run);
  }

  /** Runs a script on a machine as the session's host (its environment, its working directory). */
  private async runOn(
    machine: SshMachine,
    holding: Holding,
    run: { script: string; env: Record<string, string>; timeoutMs: number },
  ): Promise<Result<RunScriptResult>> {
    const marker = `\u001e::dockyard-${randomBytes(8).toString("hex")}::`;
    const seconds = Math.max(1, Math.ceil(run.timeoutMs / 1000));
    const env = {
      ...run.env,
      DOCKYARD_SESSION: holding.sessionId,
      DOCKYARD_HOST: holding.host,
      VERIFICATION_FAILURE_REASON: `/tmp/.dockyard-reason-${randomBytes(6).toString("hex")}`,
    };
    const input = [
      `DOCKYARD_MARKER=${shellQuote(marker)}`,
      `DOCKYARD_SECONDS=${seconds}`,
      `DOCKYARD_RUN=${shellQuote(run.script)}`,
      `cd ${shellQuote(holding.workdir ?? "")} 2>/dev/null || cd`,
      ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
      "",
    ].join("\n");
    const target = this.target(machine);
    const started = performance.now();
    // The machine's `timeout` ends the script; the gateway's own deadline (past connecting and that) ends ssh.
    const result = await runProcess(
      this.ssh,
      sshArgs(target, `bash -c ${shellQuote(SCRIPT_WRAPPER)}`, { tty: false }),
      {
        input,
        deadlineMs: run.timeoutMs + target.connectTimeoutSeconds * 1000 + 5000,
        outputLimit: OUTPUT_LIMIT,
        tail: TRAILER_ROOM,
      },
    );
    const durationMs = Math.round(performance.now() - started);
    const stderr = result.stderr.headBytes().toString("utf8");
    const tail = result.stdout.tailBytes();
    const at = tail.lastIndexOf(marker);
    const trailer = at >= 0 ? /^(\d+):([\s\S]*)$/.exec(tail.subarray(at + Buffer.byteLength(marker)).toString()) : null;
    if (trailer) {
      const exitCode = Number(trailer[1]);
      const end = result.stdout.total - (tail.length - at);
      return ok({
        exitCode,
        stdout: result.stdout.headBytes().subarray(0, end).toString("utf8"),
        stderr,
        timedOut: exitCode === 124 || (exitCode === 137 && durationMs >= run.timeoutMs),
        failureReason: trailer[2]?.trim() || undefined,
        durationMs,
      });
    }
    if (result.deadlineHit) {
      return ok({
        exitCode: null,
        stdout: result.stdout.headBytes().toString("utf8"),
        stderr,
        timedOut: true,
        durationMs,
      });
    }
    // No trailer: the wrapper never ran to its end, so this is ssh's failure (255) or the machine's, not the script's.
    return err(
      dockyardError(
        "SANDBOX_FAILED",
        result.exitCode === 255 || result.spawnError
          ? `${where(holding.host, machine)} cannot be reached: ${sshProblem(result)}`
          : `${where(holding.host, machine)} could not run the script (exit ${result.exitCode}): ${sshProblem(result)}`,
      ),
    );
  }

  runBackground(run: BackgroundRun): Promise<Result<{ pid: number }>> {
    // Detached from the connection: its own session, output to the log, stdin closed.
    return startBackground((script) => this.runScript(script), run, true);
  }

  async putFiles(sessionId: string, host: string, files: ArchiveFile[]): Promise<Result<{ files: number }>> {
    const found = this.host(sessionId, host);
    if (!found.ok) return found;
    const { machine } = found.value;
    const target = this.target(machine);
    // GNU tar makes missing parents and leaves existing directories as they are (the archive holds files only).
    const run = await runProcess(this.ssh, sshArgs(target, "tar -x -f - -C / --warning=no-timestamp", { tty: false }), {
      input: tarArchive(files),
      deadlineMs: 120_000,
      outputLimit: 8192,
    });
    if (run.exitCode === 0) return ok({ files: files.length });
    return err(
      dockyardError(
        "SANDBOX_FAILED",
        run.exitCode === 255 || run.spawnError || run.deadlineHit
          ? `${where(host, machine)} cannot be reached: ${run.deadlineHit ? "no answer in time" : sshProblem(run)}`
          : `copying files to ${host}: ${sshProblem(run)}`,
      ),
    );
  }

  async openTerminal(options: TerminalOptions): Promise<Result<TerminalStream>> {
    const found = this.host(options.sessionId, options.host);
    if (!found.ok) return found;
    const { machine, holding } = found.value;
    const mode = options.watch ? "watch" : options.name ? "named" : "plain";
    const remote = [
      "bash",
      "-c",
      TERMINAL_SCRIPT,
      "dockyard-terminal",
      holding.sessionId,
      holding.host,
      holding.workdir ?? "",
      mode,
      options.name ?? "",
    ]
      .map(shellQuote)
      .join(" ");
    try {
      // Loaded with the first terminal: the rest of the driver (and the packages that import it) need no native code.
      const { spawn } = await import("node-pty");
      const pty = spawn(this.ssh, sshArgs(this.target(machine), remote, { tty: true }), {
        name: "xterm-256color",
        cols: options.cols,
        rows: options.rows,
        cwd: "/",
        env: CHILD_ENV,
        encoding: null,
      });
      return ok(new SshTerminal(pty));
    } catch (error) {
      return err(
        dockyardError(
          "SANDBOX_FAILED",
          `opening a terminal on ${where(holding.host, machine)}: ${(error as Error).message}`,
        ),
      );
    }
  }

  async listSessions(): Promise<Result<SessionSummary[]>> {
    return ok(
      [...this.machines.sessions()].map(([sessionId, held]) => {
        const first = held[0]?.holding;
        return {
          sessionId,
          userId: first?.userId ?? "",
          scenario: first?.scenario ?? "",
          created: first?.created ?? "",
          containers: held.length,
          running: held.length,
        };
      }),
    );
  }

  async ping(): Promise<Result<{ version: string }>> {
    const { spawnError, stdout, stderr } = await runProcess(this.ssh, ["-V"], { deadlineMs: 5000, outputLimit: 1024 });
    if (spawnError) return err(dockyardError("SANDBOX_FAILED", `The ssh client does not start: ${spawnError}`));
    return ok({ version: `${stderr.headBytes()}${stdout.headBytes()}`.trim() });
  }

  /** An `ssh://<pool>` name is present when the pool is configured here. */
  async inspectImages(names: string[]): Promise<Result<ImageInfo[]>> {
    return ok([...new Set(names)].map((name) => ({ name, present: this.machines.has(sshPoolOf(name) ?? "") })));
  }

  /** Figures read from each held machine's /proc over ssh, within 5 s; a machine that does not answer has none. */
  async sessionStats(): Promise<Result<Map<string, HostStats[]>>> {
    const held = this.machines
      .status()
      .filter((s): s is Extract<MachineStatus, { state: "held" }> => s.state === "held");
    const figures = await boundedAll(
      held,
      async (s, signal) => {
        const run = await runProcess(this.ssh, sshArgs(this.target(s.machine), FIGURES_COMMAND, { tty: false }), {
          deadlineMs: 5000,
          signal,
          outputLimit: 64 * 1024,
        });
        if (run.exitCode !== 0) throw new Error(sshProblem(run));
        return machineStatsOf(s.host, run.stdout.headBytes().toString("utf8"), Date.now());
      },
      { limit: 16, deadlineMs: 5000 },
    );
    const sessions = new Map<string, HostStats[]>();
    held.forEach((s, i) => {
      const outcome = figures[i];
      const stats =
        outcome?.status === "done"
          ? outcome.value
          : emptyHostStats(
              s.host,
              "running",
              outcome?.status === "failed"
                ? `${s.machine.pool}/${s.machine.name}: ${(outcome.error as Error).message}`
                : "The machine gave no figures within 5 s.",
            );
      sessions.set(s.sessionId, [...(sessions.get(s.sessionId) ?? []), stats]);
    });
    for (const hosts of sessions.values()) hosts.sort((a, b) => a.host.localeCompare(b.host));
    return ok(sessions);
  }

  /** Machines are the admin's: their disks are not watched (the reset command restores them). */
  async diskUsage(): Promise<Result<Map<string, number>>> {
    return ok(new Map());
  }

  diskLimit(): { bytes: number; enforcedByEngine: boolean | undefined } {
    return { bytes: Number.MAX_SAFE_INTEGER, enforcedByEngine: true };
  }
}

/** The name a machine's pinned host key is filed under. */
const aliasOf = (m: SshMachine) => `dockyard-${m.pool}-${m.name}`;

const elapsed = (started: number) => Math.round(performance.now() - started);
