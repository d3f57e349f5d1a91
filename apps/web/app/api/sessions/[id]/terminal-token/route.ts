import { transitionLabSession } from "@dockyard/db";
import { mintTerminalToken } from "@dockyard/token";
import { db } from "@/server/db.ts";
import { env } from "@/server/env.ts";
import { inspectSession } from "@/server/gateway-client.ts";
import { requireOwnedSession } from "@/server/guards.ts";
import { errorResponse, fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** A short-lived token that lets this browser open a terminal on a host (`?host=`, host01 by default) of its own sandbox. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireOwnedSession((await params).id);
  if (!owned.ok) return owned.response;
  // Why it stopped (expired, idle, gone after a restart), when Dockyard knows.
  if (owned.session.status !== "running")
    return fail("NOT_FOUND", owned.session.error ?? "The sandbox is not running.");
  // A sandbox removed behind our back (a reboot, an admin) is reported as gone, so the page can offer a new one.
  const alive = await inspectSession(owned.session.id);
  if (!alive.ok && alive.error.code === "NOT_FOUND") {
    await transitionLabSession(db(), owned.session.id, ["running"], "stopped", "The sandbox was gone.");
    return fail("NOT_FOUND", "Your sandbox has stopped.");
  }
  if (!alive.ok) return errorResponse(alive.error);
  const host = new URL(request.url).searchParams.get("host") ?? "host01";
  if (!alive.value.hosts.some((h) => h.name === host)) {
    return fail(
      "BAD_REQUEST",
      `This sandbox has no host ${host.slice(0, 40)}: it has ${alive.value.hosts.map((h) => h.name).join(", ")}.`,
    );
  }
  const { DOCKYARD_SECRET, GATEWAY_PUBLIC_URL, GATEWAY_PUBLIC_PORT } = env();
  const token = mintTerminalToken({ sub: owned.userId, sid: owned.session.id, host, mode: "write" }, DOCKYARD_SECRET);
  return Response.json({ token, gatewayUrl: GATEWAY_PUBLIC_URL ?? null, gatewayPort: GATEWAY_PUBLIC_PORT });
}
