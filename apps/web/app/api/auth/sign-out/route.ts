import { deleteAuthSession } from "@dockyard/db";
import { cookies } from "next/headers";
import { clearSession } from "@/server/auth-cookies.ts";
import { db } from "@/server/db.ts";
import { SECURE_SESSION_COOKIE, SESSION_COOKIE } from "@/server/user.ts";

export const dynamic = "force-dynamic";

/** Signs this browser out: its session is deleted, not just forgotten by the browser. */
export async function POST(request: Request) {
  const jar = await cookies();
  for (const name of [SESSION_COOKIE, SECURE_SESSION_COOKIE]) {
    const token = jar.get(name)?.value;
    if (token) await deleteAuthSession(db(), token);
  }
  return clearSession(request, Response.json({ ok: true }));
}
