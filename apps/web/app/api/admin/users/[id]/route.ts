import { changeRole, findAccount, ROLES } from "@dockyard/db";
import { z } from "zod";
import { audit } from "@/server/audit.ts";
import { db } from "@/server/db.ts";
import { requireRole } from "@/server/guards.ts";
import { fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const body = z.object({ role: z.enum(ROLES) });

/** Changes an account's role. The last admin cannot give up the role: someone must be able to run the place. */
export async function PATCH(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const target = await findAccount(db(), (await params).id);
  if (!target) return fail("NOT_FOUND", "No such account.");
  const user = await changeRole(db(), target.id, input.value.role);
  if (!user) return fail("CONFLICT", "This is the only admin; make another admin first.");
  await audit(admin.account, "user.role", target.email, { from: target.role, to: user.role });
  return Response.json({ user });
}
