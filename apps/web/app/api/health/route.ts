import { db } from "@/server/db.ts";
import { gatewayHealthCheck } from "@/server/gateway-client.ts";

export const dynamic = "force-dynamic";

/** Ready when the database answers and the gateway (and through it Docker) does. */
export async function GET() {
  const database = await db()
    .$queryRawUnsafe("SELECT 1")
    .then(() => ({ ok: true }))
    .catch((error: unknown) => ({ ok: false, error: String(error) }));
  const gateway = await gatewayHealthCheck();
  const body = {
    ok: database.ok && gateway.ok,
    database,
    gateway: gateway.ok ? gateway.value : { ok: false, error: gateway.error.message },
  };
  return Response.json(body, { status: body.ok ? 200 : 503 });
}
