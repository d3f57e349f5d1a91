import { engineRegistration } from "@dockyard/protocol";
import { audit } from "@/server/audit.ts";
import { listEngines, registerEngine } from "@/server/gateway-client.ts";
import { requireRole } from "@/server/guards.ts";
import { errorResponse, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** The Docker engines, their state, sandboxes and capacity. Admins only. */
export async function GET() {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const engines = await listEngines();
  return engines.ok ? Response.json(engines.value) : errorResponse(engines.error);
}

/** Registers a Docker engine once the gateway has heard it answer. Admins; audited (never with the TLS key). */
export async function POST(request: Request) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const input = await parseBody(request, engineRegistration);
  if (!input.ok) return input.response;
  const registered = await registerEngine(input.value);
  if (!registered.ok) return errorResponse(registered.error);
  const { name, endpoint, capacity, labels, tls } = registered.value;
  await audit(admin.account, "engine.register", name, { endpoint, capacity, labels, tls });
  return Response.json({ engine: registered.value }, { status: 201 });
}
