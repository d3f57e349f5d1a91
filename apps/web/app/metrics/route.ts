import { timingSafeEqual } from "node:crypto";
import { env } from "@/server/env.ts";
import { metrics } from "@/server/metrics.ts";

export const dynamic = "force-dynamic";

/** Prometheus' scrape of the web app, with `Authorization: Bearer <DOCKYARD_METRICS_TOKEN>`; off without a token. */
export async function GET(request: Request) {
  const token = env().DOCKYARD_METRICS_TOKEN;
  if (!token) return new Response("Metrics are off: set DOCKYARD_METRICS_TOKEN.\n", { status: 404 });
  const given = Buffer.from(request.headers.get("authorization") ?? "");
  const wanted = Buffer.from(`Bearer ${token}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
    return new Response("A bearer token is required.\n", {
      status: 401,
      headers: { "www-authenticate": 'Bearer realm="metrics"' },
    });
  }
  const registry = metrics().registry;
  return new Response(await registry.metrics(), {
    headers: { "content-type": registry.contentType, "cache-control": "no-store" },
  });
}
