import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The gateway's Prometheus metrics, one registry per gateway: sandboxes, starts and how long they took, the warm
 * pool, terminal connections, and errors by code, plus Node's process figures. Served at /metrics on the internal
 * listener (127.0.0.1 by default), in Prometheus' text format.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly starts = new Counter({
    name: "dockyard_session_starts_total",
    help: "Sandbox starts asked of the gateway, by result (ok, or the error code).",
    labelNames: ["result"] as const,
    registers: [this.registry],
  });
  readonly startSeconds = new Histogram({
    name: "dockyard_session_start_seconds",
    help: "Time from admission to a ready sandbox (warm ones included).",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: "dockyard_gateway_errors_total",
    help: "Errors the gateway answered with, by code.",
    labelNames: ["code"] as const,
    registers: [this.registry],
  });

  constructor(sources: {
    sessions: () => Promise<number>;
    poolReady: () => number;
    terminalConnections: () => number;
    terminalChannels: () => number;
  }) {
    collectDefaultMetrics({ register: this.registry, prefix: "dockyard_gateway_" });
    new Gauge({
      name: "dockyard_sessions",
      help: "Sandboxes with a live lease on this engine.",
      registers: [this.registry],
      async collect() {
        this.set(await sources.sessions());
      },
    });
    new Gauge({
      name: "dockyard_pool_ready",
      help: "Warm sandboxes waiting in the pool.",
      registers: [this.registry],
      collect() {
        this.set(sources.poolReady());
      },
    });
    new Gauge({
      name: "dockyard_terminal_connections",
      help: "Terminal WebSockets connected now (owners and watchers).",
      registers: [this.registry],
      collect() {
        this.set(sources.terminalConnections());
      },
    });
    new Gauge({
      name: "dockyard_terminal_channels",
      help: "Terminal channels, connected or waiting for their client to come back.",
      registers: [this.registry],
      collect() {
        this.set(sources.terminalChannels());
      },
    });
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
