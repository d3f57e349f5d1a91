import {
  type CreateSessionEvent,
  type DockyardError,
  dockyardError,
  err,
  type ImageInfo,
  ok,
  type Result,
  type RunScriptResult,
  type SessionState,
} from "@dockyard/protocol";
import Docker from "dockerode";
import type { DockerDriver } from "./docker-driver.ts";
import type {
  HostStats,
  SandboxDriver,
  ScriptRun,
  SessionSpec,
  SessionSummary,
  TerminalOptions,
  TerminalStream,
} from "./sandbox-driver.ts";
import type { ArchiveFile } from "./tar-archive.ts";

/** Where a Docker engine is and how to reach it. */
export interface EngineEndpoint {
  name: string;
  /** `unix:///path/to/docker.sock` or `tcp://host:port`. */
  endpoint: string;
  /** TLS for a TCP engine, PEM text: the engine's CA, and this client's certificate and key. */
  tls?: { ca: string; cert: string; key: string } | null;
  /** The range its session networks take subnets from (engines on one machine need disjoint ones). */
  subnets?: string | null;
  /** The Docker daemon's ID as registered: a connection that reaches another daemon is not used (`DockerDriver.ping`). */
  daemonId?: string | null;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * A dockerode client for an engine's endpoint. A TCP endpoint needs TLS unless it is on this machine's loopback:
 * the Docker API gives root on its machine to anyone who reaches it.
 */
export function dockerClient(engine: Pick<EngineEndpoint, "endpoint" | "tls">): Result<Docker> {
  const { endpoint, tls } = engine;
  if (endpoint.startsWith("unix://")) {
    const socketPath = endpoint.slice("unix://".length);
    if (!socketPath.startsWith("/")) {
      return err(
        dockyardError("BAD_REQUEST", "A socket endpoint is unix:// and an absolute path: unix:///run/docker.sock."),
      );
    }
    return ok(new Docker({ socketPath }));
  }
  const tcp = /^tcp:\/\/([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(endpoint);
  const port = Number(tcp?.[2]);
  if (!tcp?.[1] || !(port >= 1 && port <= 65535)) {
    return err(dockyardError("BAD_REQUEST", "An engine's endpoint is unix:///path or tcp://host:port."));
  }
  if (!tls && !LOOPBACK.has(tcp[1])) {
    return err(
      dockyardError(
        "BAD_REQUEST",
        "A TCP engine needs TLS (its CA, and a client certificate and key): without it, anyone who reaches the port is root on that machine.",
      ),
    );
  }
  return ok(
    new Docker({
      host: tcp[1],
      port,
      protocol: tls ? "https" : "http",
      ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
    }),
  );
}

export interface EngineFleetOptions {
  /** Makes one engine's driver (the gateway gives it the limits, installation, gateway id and registry mirror). */
  driverFor: (docker: Docker, engine: EngineEndpoint) => DockerDriver;
  /** The engine a session's lease names, for a session this process has not seen yet. */
  locate?: (sessionId: string) => Promise<string | undefined>;
  /** How long one engine may take in a call over all of them (list, stats, disk use) before it is left out. */
  deadlineMs?: number;
}

interface Member {
  endpoint: EngineEndpoint;
  driver: DockerDriver;
}

/** What an engine's configuration is, as far as its driver goes: a change makes a new driver. */
const identity = (e: EngineEndpoint) => JSON.stringify([e.endpoint, e.tls ?? null, e.subnets ?? null]);

/**
 * Several Docker engines behind the one SandboxDriver interface: each session lives on one engine (pinned when it is
 * placed, or found from its lease or its labels), and calls about it go there; listings, figures and disk use are
 * merged over the engines that answer. Which engine gets a new session is the session manager's choice (`pin`).
 */
export class EngineFleet implements SandboxDriver {
  private readonly members = new Map<string, Member & { identity: string }>();
  /** Session -> engine, for sessions made, adopted or found by this process. */
  private readonly pinned = new Map<string, string>();
  /** Engines known not to answer: calls over every engine skip them rather than wait. */
  private readonly unreachable = new Set<string>();
  private readonly deadlineMs: number;

  constructor(private readonly options: EngineFleetOptions) {
    this.deadlineMs = options.deadlineMs ?? 10_000;
  }

  /**
   * Sets the engines (the whole set): new ones get a driver, changed ones a new driver, missing ones go. Answers the
   * names added and removed. An endpoint that cannot be made into a client is left out, with why.
   */
  configure(engines: EngineEndpoint[]): {
    added: string[];
    removed: string[];
    failed: { name: string; error: DockyardError }[];
  } {
    const added: string[] = [];
    const removed: string[] = [];
    const failed: { name: string; error: DockyardError }[] = [];
    const wanted = new Map(engines.map((e) => [e.name, e]));
    for (const name of this.members.keys()) {
      if (!wanted.has(name)) {
        this.members.delete(name);
        this.unreachable.delete(name);
        removed.push(name);
      }
    }
    for (const engine of engines) {
      const current = this.members.get(engine.name);
      if (current?.identity === identity(engine)) {
        current.driver.setEngine({ name: engine.name, daemonId: engine.daemonId ?? null });
        continue;
      }
      const docker = dockerClient(engine);
      if (!docker.ok) {
        failed.push({ name: engine.name, error: docker.error });
        continue;
      }
      const driver = this.options.driverFor(docker.value, engine);
      driver.setEngine({ name: engine.name, daemonId: engine.daemonId ?? null });
      this.members.set(engine.name, { endpoint: engine, driver, identity: identity(engine) });
      if (!current) added.push(engine.name);
    }
    return { added, removed, failed };
  }

  names(): string[] {
    return [...this.members.keys()].sort();
  }

  /** One engine's driver. */
  on(engine: string): DockerDriver | undefined {
    return this.members.get(engine)?.driver;
  }

  /** Whether the health loop last heard this engine answer (calls over every engine skip those that did not). */
  isReachable(engine: string): boolean {
    return this.members.has(engine) && !this.unreachable.has(engine);
  }

  /** Whether calls over every engine should ask this one (the health loop says). */
  setReachable(engine: string, reachable: boolean): void {
    if (reachable) this.unreachable.delete(engine);
    else this.unreachable.add(engine);
  }

  /** Sends the session's creation, and every later call about it, to `engine`. */
  pin(sessionId: string, engine: string): void {
    this.pinned.set(sessionId, engine);
  }

  unpin(sessionId: string): void {
    this.pinned.delete(sessionId);
  }

  /** The engine a session is on, as far as this process knows (pinned, or its lease). */
  async engineOf(sessionId: string): Promise<string | undefined> {
    const pinned = this.pinned.get(sessionId);
    if (pinned && this.members.has(pinned)) return pinned;
    const leased = await this.options.locate?.(sessionId);
    if (leased && this.members.has(leased)) {
      this.pinned.set(sessionId, leased);
      return leased;
    }
    return undefined;
  }

  /** The driver of a session's engine: pinned, leased, or the engine whose containers carry its labels. */
  private async route(sessionId: string): Promise<Result<DockerDriver>> {
    const known = await this.engineOf(sessionId);
    const member = known ? this.members.get(known) : undefined;
    if (member) return ok(member.driver);
    const found = await Promise.all(
      this.reachable().map(async ([name, m]) => ((await m.driver.inspectSession(sessionId)).ok ? name : undefined)),
    );
    const name = found.find((n) => n !== undefined);
    if (!name) return err(dockyardError("NOT_FOUND", `No sandbox for session ${sessionId}.`));
    this.pinned.set(sessionId, name);
    return ok(this.members.get(name)?.driver as DockerDriver);
  }

  private reachable(): [string, Member][] {
    return [...this.members].filter(([name]) => !this.unreachable.has(name));
  }

  /** Runs `call` on every reachable engine at once, each within the deadline; engines that fail are left out. */
  private async overAll<T>(
    what: string,
    call: (driver: DockerDriver) => Promise<Result<T>>,
  ): Promise<Result<{ engine: string; value: T }[]>> {
    const members = this.reachable();
    const answers = await Promise.all(
      members.map(async ([engine, m]) => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<Result<T>>((resolve) => {
          timer = setTimeout(
            () => resolve(err(dockyardError("TIMEOUT", `Engine ${engine} gave no answer while ${what}.`))),
            this.deadlineMs,
          );
        });
        const result = await Promise.race([call(m.driver), late]).finally(() => clearTimeout(timer));
        return { engine, result };
      }),
    );
    const answered = answers.flatMap((a) => (a.result.ok ? [{ engine: a.engine, value: a.result.value }] : []));
    const first = answers.find((a) => !a.result.ok)?.result;
    if (answered.length === 0 && first && !first.ok) return err(first.error);
    if (members.length === 0) return err(dockyardError("DOCKER_UNAVAILABLE", "No Docker engine answers."));
    return ok(answered);
  }

  async createSession(spec: SessionSpec, onEvent: (event: CreateSessionEvent) => void): Promise<Result<SessionState>> {
    const engine = this.pinned.get(spec.sessionId) ?? (this.members.size === 1 ? this.names()[0] : undefined);
    const member = engine ? this.members.get(engine) : undefined;
    if (!engine || !member) {
      return err(dockyardError("SANDBOX_FAILED", `No engine was chosen for session ${spec.sessionId}.`));
    }
    this.pinned.set(spec.sessionId, engine);
    const made = await member.driver.createSession(spec, onEvent);
    if (!made.ok) this.pinned.delete(spec.sessionId);
    return made;
  }

  async inspectSession(sessionId: string): Promise<Result<SessionState>> {
    const driver = await this.route(sessionId);
    return driver.ok ? driver.value.inspectSession(sessionId) : driver;
  }

  async removeSession(sessionId: string): Promise<Result<{ containers: number; networks: number }>> {
    const known = await this.engineOf(sessionId);
    const member = known ? this.members.get(known) : undefined;
    if (member) {
      const removed = await member.driver.removeSession(sessionId);
      if (removed.ok) this.pinned.delete(sessionId);
      return removed;
    }
    // Not known to be anywhere: whatever any engine has of it goes.
    const all = await this.overAll("removing a session", (d) => d.removeSession(sessionId));
    if (!all.ok) return all;
    return ok(
      all.value.reduce(
        (sum, { value }) => ({
          containers: sum.containers + value.containers,
          networks: sum.networks + value.networks,
        }),
        { containers: 0, networks: 0 },
      ),
    );
  }

  async runScript(run: ScriptRun): Promise<Result<RunScriptResult>> {
    const driver = await this.route(run.sessionId);
    return driver.ok ? driver.value.runScript(run) : driver;
  }

  async runBackground(run: Omit<ScriptRun, "timeoutMs"> & { name: string }): Promise<Result<{ pid: number }>> {
    const driver = await this.route(run.sessionId);
    return driver.ok ? driver.value.runBackground(run) : driver;
  }

  async putFiles(sessionId: string, host: string, files: ArchiveFile[]): Promise<Result<{ files: number }>> {
    const driver = await this.route(sessionId);
    return driver.ok ? driver.value.putFiles(sessionId, host, files) : driver;
  }

  async openTerminal(options: TerminalOptions): Promise<Result<TerminalStream>> {
    const driver = await this.route(options.sessionId);
    return driver.ok ? driver.value.openTerminal(options) : driver;
  }

  /** Every session on every engine that answers, each with its engine. */
  async listSessions(): Promise<Result<SessionSummary[]>> {
    const all = await this.overAll("listing sessions", (d) => d.listSessions());
    if (!all.ok) return all;
    return ok(all.value.flatMap(({ engine, value }) => value.map((s) => ({ ...s, engine }))));
  }

  /** Answers when at least one engine does (the version is the first one's). */
  async ping(): Promise<Result<{ version: string }>> {
    const all = await this.overAll("asking for its version", (d) => d.ping(this.deadlineMs));
    if (!all.ok) return all;
    const first = all.value[0];
    return first ? ok(first.value) : err(dockyardError("DOCKER_UNAVAILABLE", "No Docker engine answers."));
  }

  /** An image counts as present only where every answering engine has it: a session may be placed on any. */
  async inspectImages(names: string[]): Promise<Result<ImageInfo[]>> {
    const all = await this.overAll("looking for images", (d) => d.inspectImages(names));
    if (!all.ok) return all;
    const [first, ...rest] = all.value;
    if (!first) return ok([]);
    return ok(
      first.value.map((image, i) =>
        rest.every((r) => r.value[i]?.present) ? image : { name: image.name, present: false },
      ),
    );
  }

  async sessionStats(): Promise<Result<Map<string, HostStats[]>>> {
    const all = await this.overAll("reading figures", (d) => d.sessionStats());
    if (!all.ok) return all;
    return ok(new Map(all.value.flatMap(({ value }) => [...value])));
  }

  async diskUsage(): Promise<Result<Map<string, number>>> {
    const all = await this.overAll("measuring disk use", (d) => d.diskUsage());
    if (!all.ok) return all;
    return ok(new Map(all.value.flatMap(({ value }) => [...value])));
  }

  /** The cap is the same everywhere; it counts as enforced only where every engine enforces it. */
  diskLimit(): { bytes: number; enforcedByEngine: boolean | undefined } {
    const limits = [...this.members.values()].map((m) => m.driver.diskLimit());
    const bytes = limits[0]?.bytes ?? 0;
    if (limits.some((l) => l.enforcedByEngine === false)) return { bytes, enforcedByEngine: false };
    if (limits.length > 0 && limits.every((l) => l.enforcedByEngine === true)) return { bytes, enforcedByEngine: true };
    return { bytes, enforcedByEngine: undefined };
  }
}
