import type {
  CreateSessionEvent,
  DockyardError,
  ImageInfo,
  Result,
  RunScriptResult,
  SessionState,
} from "@dockyard/protocol";
import type { ArchiveFile } from "./tar-archive.ts";

/** Labels on every container and network Dockyard creates; a restart reconciles sandboxes through them. */
export const LABEL = {
  managed: "dockyard.managed",
  session: "dockyard.session",
  user: "dockyard.user",
  scenario: "dockyard.scenario",
  host: "dockyard.host",
  created: "dockyard.created",
  /** Which Dockyard installation made it, so two on one engine (say, tests beside a real one) keep apart. */
  instance: "dockyard.instance",
  /** Which gateway process made it: its warm and starting sandboxes are not another gateway's to remove. */
  gateway: "dockyard.gateway",
  /** Which engine (by its registered name) it was made on: another engine name's reconciling leaves it alone. */
  engine: "dockyard.engine",
} as const;

export interface SessionSpec {
  sessionId: string;
  userId: string;
  scenario: string;
  /** `docker`: the host runs its own Docker engine, with the extra privileges that takes. */
  hosts: { name: string; image: string; workdir?: string; docker?: boolean; limits?: HostLimits }[];
  /** False: the session's network reaches nothing beyond its own hosts (and the host's replies). Default true. */
  internet?: boolean;
  /** Labels the engine it runs on must have (an environment's needs); `docker` hosts need `docker` besides. */
  engineLabels?: string[];
}

/** Per-host limits an environment may set instead of the driver's defaults. */
export interface HostLimits {
  memoryMb?: number;
  cpus?: number;
  pids?: number;
}

/** A session as its labels tell it, with how many of its containers exist and run. */
export interface SessionSummary {
  sessionId: string;
  userId: string;
  scenario: string;
  created: string;
  containers: number;
  running: number;
  /** The gateway that made it (its dockyard.gateway label), when one did. */
  gateway?: string;
  /** The engine it is on, when the driver spans several. */
  engine?: string;
}

/** One host's live figures, as the engine reported them at `readAt`. */
export interface HostStats {
  host: string;
  /** The container's state as the engine lists it: running, exited, paused, ... */
  state: string;
  /** CPU time the host has used since it started, in seconds (all cores together). */
  cpuSeconds: number;
  /** Memory in use without the reclaimable file cache, as `docker stats` counts it. */
  memoryBytes: number;
  memoryLimitBytes: number;
  /** Processes (tasks) in the host. */
  pids: number;
  /** Bytes received and sent, over all the host's network interfaces. */
  netRxBytes: number;
  netTxBytes: number;
  /** When the engine read these figures (ms since the epoch, by the engine's clock): rates are taken between two. */
  readAt: number;
  /** Set when the figures are missing (all zero) although the host runs: the engine did not give them in time. */
  statsError?: string;
}

export interface ScriptRun {
  sessionId: string;
  host: string;
  script: string;
  timeoutMs: number;
  env: Record<string, string>;
}

/** A shell attached to a host of a session: bytes in and out, resizable. Disposing it ends the shell. */
export interface TerminalStream {
  write(data: Uint8Array | string): void;
  resize(cols: number, rows: number): Promise<void>;
  onData(listener: (chunk: Buffer) => void): void;
  /** Input written but not yet taken by the engine (a program that does not read makes this grow). */
  pendingInput(): number;
  /** Stops output (flow control): the program in the sandbox blocks once the buffers between are full. */
  pause(): void;
  resume(): void;
  onExit(listener: (exitCode: number | null) => void): void;
  dispose(): void;
}

export interface TerminalOptions {
  sessionId: string;
  host: string;
  cols: number;
  rows: number;
  /**
   * A persistent terminal's name: its shell survives the connection (and the gateway), and opening the same name
   * again attaches to it, screen and all. Without a name, the shell ends with the connection.
   */
  name?: string;
  /**
   * Attach to the named terminal as a watcher: its shell must exist already, and this client's size does not change
   * the shell's (the watcher sees the owner's screen as it is).
   */
  watch?: boolean;
}

/**
 * Where sandboxes live: Docker engines, `ssh` machines; "A path to Kubernetes" in docs/architecture.md maps each method
 * to the Kubernetes API. Nothing here may assume containers, exec ids or Docker networks.
 */
export interface SandboxDriver {
  /** Creates the session's network and hosts, reporting progress; removes what it made if a step fails. */
  createSession(spec: SessionSpec, onEvent: (event: CreateSessionEvent) => void): Promise<Result<SessionState>>;
  inspectSession(sessionId: string): Promise<Result<SessionState>>;
  removeSession(sessionId: string): Promise<Result<{ containers: number; networks: number }>>;
  runScript(run: ScriptRun): Promise<Result<RunScriptResult>>;
  /** Starts a script detached (a page's background script); its output goes to /var/log/killercoda/<name>.log. */
  runBackground(run: Omit<ScriptRun, "timeoutMs"> & { name: string }): Promise<Result<{ pid: number }>>;
  /** Writes files (absolute paths, parents made as needed) into a host of a session. */
  putFiles(sessionId: string, host: string, files: ArchiveFile[]): Promise<Result<{ files: number }>>;
  openTerminal(options: TerminalOptions): Promise<Result<TerminalStream>>;
  /** Every session this driver manages, by its labels (those left with only a network too). */
  listSessions(): Promise<Result<SessionSummary[]>>;
  ping(): Promise<Result<{ version: string }, DockyardError>>;
  /**
   * Whether each named image is where this driver makes sandboxes, and what it is (id, size, when built, the hash of
   * what it was built from), one entry per distinct name in the order given. A missing image is `present: false`, not an error.
   */
  inspectImages(names: string[]): Promise<Result<ImageInfo[]>>;
  /**
   * Live figures of every host of every session this driver manages, by session id; hosts that do not run have
   * zeros. Bounded in time: a host that does not answer is reported without figures rather than holding up the rest.
   */
  sessionStats(): Promise<Result<Map<string, HostStats[]>>>;
  /** Bytes each session's hosts have written to their own filesystems, by session id. */
  diskUsage(): Promise<Result<Map<string, number>>>;
  /** The per-host disk cap, and whether the engine enforces it itself (undefined: not known yet). */
  diskLimit(): { bytes: number; enforcedByEngine: boolean | undefined };
}
