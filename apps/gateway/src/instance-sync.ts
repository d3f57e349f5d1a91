import type { Bus } from "@dockyard/db/bus";
import { type InstanceEvent, type Log, type TerminalViewer, VIEWERS_REFRESH_MS } from "@dockyard/protocol";
import { log as gatewayLog } from "./log.ts";
import type { PreviewProxy } from "./preview-proxy.ts";
import type { TerminalServer } from "./terminal-server.ts";

export interface InstanceSyncOptions {
  bus: Bus<InstanceEvent>;
  terminals: TerminalServer;
  previews: PreviewProxy;
  /** Someone used the session through another gateway (typed, connected, left): it is not idle. */
  touch: (sessionId: string) => void;
  log?: Log;
}

/** Typing reaches the other gateways at most this often per session. */
const ACTIVITY_EVERY_MS = 5_000;

/**
 * What this gateway tells the other gateways of its database, and what it does with what they tell it: a session
 * ended or its lease changed (its terminals may be attached anywhere), who is connected and whether watchers may type
 * (a session's terminals may be spread over gateways), activity (for idle removal) and spent single-use tokens.
 * Its own events come back from the bus and are skipped: they were applied here when they happened.
 */
export class InstanceSync {
  private readonly activitySent = new Map<string, number>();
  private readonly refresh: NodeJS.Timeout;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly options: InstanceSyncOptions) {
    const { bus } = options;
    this.unsubscribe = [
      bus.subscribe((event, from) => {
        if (from !== bus.instance) this.apply(event, from);
      }),
      // Lists sent while the connection was down were missed: everyone hears ours again.
      bus.onReconnect(() => this.repeatViewers()),
    ];
    this.refresh = setInterval(() => {
      this.repeatViewers();
      options.terminals.dropStaleViewers();
      const now = Date.now();
      for (const [id, at] of this.activitySent) if (now - at > ACTIVITY_EVERY_MS) this.activitySent.delete(id);
    }, VIEWERS_REFRESH_MS);
    this.refresh.unref();
  }

  /** This gateway's name on the bus. */
  get instance(): string {
    return this.options.bus.instance;
  }

  private apply(event: InstanceEvent, from: string): void {
    const { terminals, previews } = this.options;
    switch (event.type) {
      case "session-ended":
        previews.forget(event.sessionId);
        terminals.sessionEnded(event.sessionId, event.reason);
        return;
      case "lease-changed":
        terminals.leaseChanged(event.sessionId, event.expiresAt);
        return;
      case "control":
        terminals.controlChanged(event.sessionId, event.allowed);
        return;
      case "viewers":
        terminals.remoteViewersChanged(event.sessionId, from, event.viewers);
        this.options.touch(event.sessionId);
        return;
      case "activity":
        this.options.touch(event.sessionId);
        return;
      case "token-used":
        if (event.kind === "terminal") terminals.tokenUsed(event.jti, event.exp);
        else previews.tokenUsed(event.jti, event.exp);
        return;
    }
  }

  private publish(event: InstanceEvent): void {
    void this.options.bus.publish(event).catch((error: unknown) => {
      (this.options.log ?? gatewayLog)("error", "an event for the other gateways was not sent", { error });
    });
  }

  private repeatViewers(): void {
    for (const [sessionId, viewers] of this.options.terminals.connectedViewers()) this.viewers(sessionId, viewers);
  }

  sessionEnded(sessionId: string, reason: string): void {
    this.activitySent.delete(sessionId);
    this.publish({ type: "session-ended", sessionId, reason });
  }

  leaseChanged(sessionId: string, expiresAt: string | null): void {
    this.publish({ type: "lease-changed", sessionId, expiresAt });
  }

  viewers(sessionId: string, viewers: TerminalViewer[]): void {
    this.publish({ type: "viewers", sessionId, viewers });
  }

  control(sessionId: string, allowed: boolean): void {
    this.publish({ type: "control", sessionId, allowed });
  }

  activity(sessionId: string, now = Date.now()): void {
    const last = this.activitySent.get(sessionId);
    if (last !== undefined && now - last < ACTIVITY_EVERY_MS) return;
    this.activitySent.set(sessionId, now);
    this.publish({ type: "activity", sessionId });
  }

  tokenUsed(kind: "terminal" | "preview", jti: string, exp: number): void {
    this.publish({ type: "token-used", kind, jti, exp });
  }

  /** Stops listening and repeating (shutdown); the bus itself is its creator's to close. */
  close(): void {
    clearInterval(this.refresh);
    for (const off of this.unsubscribe) off();
  }
}
