import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import {
  BUILD_STATUS_LINES,
  type BuildImagesEvent,
  type BuildImagesResult,
  type BuildImagesStatus,
  dockyardError,
  err,
  type Log,
  MAX_BUILD_LINE,
  ok,
  type Result,
  type ScenarioTestReport,
} from "@dockyard/protocol";
import { log as gatewayLog } from "./log.ts";

/** The repository root, found from the gateway's source (apps/gateway/src). */
const REPO_ROOT = resolve(import.meta.dirname, "../../..");

/** What `npm run images` runs: builds the sandbox images that are not up to date. */
export const BUILD_IMAGES_SCRIPT = resolve(REPO_ROOT, "docker/build-images.sh");

export interface ImageBuilderOptions {
  /** The build script, run with bash from the repository root; default docker/build-images.sh. */
  script?: string;
  log?: Log;
}

/** A kind of job: what it is called in logs, the command for an input, and a prefix its output lines lose. */
export interface JobOptions<I> {
  name: string;
  /** What a second start hears while one runs. */
  busy: string;
  command: (input: I) => { file: string; args: string[] };
  strip?: RegExp;
  /** Called as it ends, before `done` goes out: what it leaves behind (a report) rides on `done` and the status. */
  onEnd?: (input: I, result: BuildImagesResult) => ScenarioTestReport | undefined;
  log?: Log;
}

/** How long output may go on after the script exits (from something it left running) before it is cut off. */
const STRAY_OUTPUT_MS = 2000;

type Listener = (event: BuildImagesEvent) => void;

/**
 * Runs a long job (an image build, a scenario's test) as a child process, one at a time. Its output goes to whoever
 * follows it (an admin's or instructor's page), to the last lines kept for status, and to the gateway log. A job
 * outlives the request that started it; stop() ends it (the gateway shutting down).
 */
export class JobRunner<I> {
  private child: ChildProcess | undefined;
  private startedAt: Date | undefined;
  /** What the running (or last) job was started with. */
  protected input: I | undefined;
  private lines: string[] = [];
  private lastResult: BuildImagesStatus["lastResult"];
  private readonly listeners = new Set<Listener>();

  constructor(private readonly job: JobOptions<I>) {}

  /** Starts the job and sends its events to `listener` (`started` at once); CONFLICT while one runs. */
  start(input: I, listener: Listener): Result<{ detach: () => void }> {
    if (this.child) return err(dockyardError("CONFLICT", this.job.busy));
    const { file, args } = this.job.command(input);
    const startedAt = new Date();
    const began = performance.now();
    // A process group of its own, so that stop() ends what it started (`docker build`, sandboxes' scripts) too.
    const child = spawn(file, args, { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.child = child;
    this.input = input;
    this.startedAt = startedAt;
    this.lines = [];
    this.listeners.add(listener);
    this.log("info", `${this.job.name} started`, { command: [file, ...args].join(" ") });
    this.emit({ type: "started", at: startedAt.toISOString() });
    for (const stream of [child.stdout, child.stderr]) eachLine(stream, (line) => this.line(line));

    let finished = false;
    const finish = (exitCode: number | null) => {
      if (finished) return;
      finished = true;
      const result = { ok: exitCode === 0, exitCode, seconds: Math.round((performance.now() - began) / 100) / 10 };
      const report = this.job.onEnd?.(input, result);
      this.child = undefined;
      this.lastResult = { ...result, finishedAt: new Date().toISOString() };
      this.log(result.ok ? "info" : "warn", `${this.job.name} finished`, result);
      this.emit({ type: "done", ...result, ...(report === undefined ? {} : { report }) });
      this.listeners.clear();
    };
    child.on("error", (error) => {
      // Only a process that never started ends here; other errors (a failed signal) leave it running.
      if (child.pid !== undefined) return this.log("warn", `${this.job.name} process error`, { error });
      this.line(`could not run ${file}: ${error.message}`);
      finish(null);
    });
    // After both output streams ended: every line is out before `done`. Something the script left running may hold
    // them open; a moment after the script exits they are closed for it.
    child.on("close", (code) => finish(code));
    child.on("exit", () => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
      }, STRAY_OUTPUT_MS).unref();
    });
    return ok({ detach: () => this.listeners.delete(listener) });
  }

  status(): BuildImagesStatus {
    return {
      running: this.child !== undefined,
      ...(this.startedAt ? { startedAt: this.startedAt.toISOString() } : {}),
      lines: [...this.lines],
      ...(this.lastResult ? { lastResult: this.lastResult } : {}),
    };
  }

  /** Ends the running job, if any, and what it started; its followers get `done` with no exit code. */
  stop(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, "SIGTERM");
    } catch {
      // Gone already: `close` reports it.
    }
  }

  private line(raw: string): void {
    const line = raw
      .replace(/\r$/, "")
      .replace(this.job.strip ?? /^$/, "")
      .slice(0, MAX_BUILD_LINE);
    this.lines.push(line);
    if (this.lines.length > BUILD_STATUS_LINES) this.lines.splice(0, this.lines.length - BUILD_STATUS_LINES);
    this.log("info", `${this.job.name} output`, { line });
    this.emit({ type: "line", line });
  }

  private emit(event: BuildImagesEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A follower that fails stops following; the build goes on.
        this.listeners.delete(listener);
        this.log("warn", `${this.job.name} follower failed`, { error });
      }
    }
  }

  private log(level: "info" | "warn", msg: string, fields?: Record<string, unknown>): void {
    (this.job.log ?? gatewayLog)(level, msg, fields);
  }
}

/**
 * Rebuilds Dockyard's sandbox images (docker/build-images.sh), one build at a time. `env` sets the one variable and
 * passes the gateway's environment on (only env.ts reads process.env).
 */
export class ImageBuilder extends JobRunner<boolean> {
  constructor(options: ImageBuilderOptions = {}) {
    const script = options.script ?? BUILD_IMAGES_SCRIPT;
    super({
      name: "image build",
      busy: "A build is running",
      command: (rebuild) => ({ file: "env", args: [`DOCKYARD_REBUILD=${rebuild ? 1 : 0}`, "bash", script] }),
      strip: /^\[images\] /,
      ...(options.log ? { log: options.log } : {}),
    });
  }
}

/** The `dockyard` command of this checkout. */
export const DOCKYARD_CLI = resolve(REPO_ROOT, "packages/cli/bin/dockyard.mjs");

/**
 * Preloads course images into the registry mirror (`dockyard images preload IMAGE...`: built from Debian packages
 * where missing, then pushed), one run at a time, with its output live: the admin's button before an event.
 */
export class ImagePreloader extends JobRunner<string[]> {
  constructor(options: { cli?: string; log?: Log } = {}) {
    super({
      name: "image preload",
      busy: "A preload is running",
      command: (images) => ({
        file: process.execPath,
        args: [options.cli ?? DOCKYARD_CLI, "images", "preload", ...images],
      }),
      ...(options.log ? { log: options.log } : {}),
    });
  }
}

/** Calls `onLine` for each line of a text stream, the last one even without a newline; a runaway line is cut. */
function eachLine(stream: Readable, onLine: (line: string) => void): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    const parts = (pending + chunk).split("\n");
    // Room for the prefix that comes off and a carriage return.
    pending = (parts.pop() ?? "").slice(0, MAX_BUILD_LINE + 16);
    for (const part of parts) onLine(part);
  });
  stream.on("end", () => {
    if (pending) onLine(pending);
  });
}
