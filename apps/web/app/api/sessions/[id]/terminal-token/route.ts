import { mintTerminalToken } from "@dockyard/token";
import { env } from "@/server/env.ts";
import { requireOwnedSession } from "@/server/guards.ts";
import { fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** A short-lived token that lets this browser open a terminal on its own running sandbox. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireOwnedSession((await params).id);
  if (!owned.ok) return owned.response;
  if (owned.session.status !== "running") return fail("CONFLICT", "The sandbox is not running.");
  const { DOCKYARD_SECRET, GATEWAY_PUBLIC_URL, GATEWAY_PUBLIC_PORT } = env();
  const token = mintTerminalToken(
    { sub: owned.userId, sid: owned.session.id, host: "host01", mode: "write" },
    DOCKYARD_SECRET,
  );
  return Response.json({ token, gatewayUrl: GATEWAY_PUBLIC_URL ?? null, gatewayPort: GATEWAY_PUBLIC_PORT });
}
