import { AccountError, createAccount, listAccounts, ROLES } from "@dockyard/db";
import { z } from "zod";
import { audit } from "@/server/audit.ts";
import { db } from "@/server/db.ts";
import { requireRole } from "@/server/guards.ts";
import { fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** Accounts, filtered by `?q=` (a part of the email or name). Admins only. */
export async function GET(request: Request) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const q = new URL(request.url).searchParams.get("q")?.slice(0, 100) ?? "";
  return Response.json({ users: await listAccounts(db(), q) });
}

const body = z.object({
  email: z.string().max(254),
  password: z.string().max(1024),
  displayName: z.string().trim().max(60).optional(),
  role: z.enum(ROLES).default("attendee"),
});

/** An admin adds an account (with a first password the person should change). */
export async function POST(request: Request) {
  const admin = await requireRole("admin");
  if (!admin.ok) return admin.response;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  try {
    const account = await createAccount(db(), input.value);
    await audit(admin.account, "user.create", account.email, { role: account.role });
    return Response.json({ user: account }, { status: 201 });
  } catch (error) {
    if (error instanceof AccountError) {
      return fail(error.code === "EMAIL_TAKEN" ? "CONFLICT" : "BAD_REQUEST", error.message);
    }
    throw error;
  }
}
