import { err, type ImageInfo, ok, type Result } from "@dockyard/protocol";
import type {
  HostStats,
  SandboxDriver,
  ScriptRun,
  SessionSpec,
  SessionSummary,
  TerminalOptions,
} from "./sandbox-driver.ts";

/** A driver that serves some sessions beside the main one, and knows its own sessions (across restarts too). */
export interface RoutedDriver extends SandboxDriver {
  /** Whether this driver makes sessions of this spec. */
  serves(spec: SessionSpec): boolean;
  /** Whether a session is this driver's. */
  holds(sessionId: string): boolean;
  /** Whether an image name is this driver's to describe. */
  servesImage(name: string): boolean;
}

/**
 * One SandboxDriver over several: a session goes to the first routed driver that serves its spec, else to the main
 * one (Docker); later calls go to whichever driver holds the session. Each routed driver records its own sessions
 * (the ssh driver in its state file), so the routing survives a restart without a table here. Lists and figures are
 * merged; health and disk limits are the main driver's.
 */
export class RoutingDriver implements SandboxDriver {
  constructor(
    private readonly main: SandboxDriver,
    private readonly routed: RoutedDriver[],
  ) {}

  private of(sessionId: string): SandboxDriver {
    return this.routed.find((d) => d.holds(sessionId)) ?? this.main;
  }

  createSession(...args: Parameters<SandboxDriver["createSession"]>) {
    return (this.routed.find((d) => d.serves(args[0])) ?? this.main).createSession(...args);
  }

  inspectSession(sessionId: string) {
    return this.of(sessionId).inspectSession(sessionId);
  }

  removeSession(sessionId: string) {
    return this.of(sessionId).removeSession(sessionId);
  }

  runScript(run: ScriptRun) {
    return this.of(run.sessionId).runScript(run);
  }

  runBackground(run: Parameters<SandboxDriver["runBackground"]>[0]) {
    return this.of(run.sessionId).runBackground(run);
  }

  putFiles(...args: Parameters<SandboxDriver["putFiles"]>) {
    return this.of(args[0]).putFiles(...args);
  }

  openTerminal(options: TerminalOptions) {
    return this.of(options.sessionId).openTerminal(options);
  }

  async listSessions(): Promise<Result<SessionSummary[]>> {
    const lists = await Promise.all([this.main, ...this.routed].map((d) => d.listSessions()));
    const failed = lists.find((l) => !l.ok);
    if (failed) return failed;
    return ok(lists.flatMap((l) => (l.ok ? l.value : [])));
  }

  ping() {
    return this.main.ping();
  }

  async inspectImages(names: string[]): Promise<Result<ImageInfo[]>> {
    const asked = [...new Set(names)];
    const drivers = asked.map((name) => this.routed.find((d) => d.servesImage(name)) ?? this.main);
    const answers = new Map<string, ImageInfo>();
    for (const driver of new Set(drivers)) {
      const found = await driver.inspectImages(asked.filter((_, i) => drivers[i] === driver));
      if (!found.ok) return found;
      for (const info of found.value) answers.set(info.name, info);
    }
    return ok(asked.map((name) => answers.get(name) ?? { name, present: false }));
  }

  async sessionStats(): Promise<Result<Map<string, HostStats[]>>> {
    return merged(await Promise.all([this.main, ...this.routed].map((d) => d.sessionStats())));
  }

  async diskUsage(): Promise<Result<Map<string, number>>> {
    return merged(await Promise.all([this.main, ...this.routed].map((d) => d.diskUsage())));
  }

  diskLimit() {
    return this.main.diskLimit();
  }
}

function merged<T>(results: Result<Map<string, T>>[]): Result<Map<string, T>> {
  const all = new Map<string, T>();
  for (const result of results) {
    if (!result.ok) return err(result.error);
    for (const [key, value] of result.value) all.set(key, value);
  }
  return ok(all);
}
