import "server-only";
import { Counter, collectDefaultMetrics, Registry } from "prom-client";

interface WebMetrics {
  registry: Registry;
  checks: Counter<"result">;
  errors: Counter<"code">;
}

/** The web app's Prometheus metrics: check results, errors answered by code, and Node's process figures. */
function create(): WebMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "dockyard_web_" });
  return {
    registry,
    checks: new Counter({
      name: "dockyard_checks_total",
      help: "Step checks run for learners, by result (pass or fail).",
      labelNames: ["result"] as const,
      registers: [registry],
    }),
    errors: new Counter({
      name: "dockyard_web_errors_total",
      help: "Errors the web app's API answered with, by code.",
      labelNames: ["code"] as const,
      registers: [registry],
    }),
  };
}

// One registry per process, kept across module reloads in development.
const holder = globalThis as unknown as { dockyardWebMetrics?: WebMetrics };
export const metrics = (): WebMetrics => {
  holder.dockyardWebMetrics ??= create();
  return holder.dockyardWebMetrics;
};
