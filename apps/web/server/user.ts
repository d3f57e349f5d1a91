import "server-only";
import { type Account, accountForToken } from "@dockyard/db";
import { cookies } from "next/headers";
import { cache } from "react";
import { db } from "./db.ts";

/** A guest's id: an unguessable random id in an httpOnly cookie, set by proxy.ts on the first request. */
export const USER_COOKIE = "dockyard_uid";
export const USER_ID_PATTERN = /^[a-f0-9-]{36}$/;
/** A signed-in browser's token. Over HTTPS the cookie is `__Host-` prefixed: no subdomain (a port preview) can set it. */
export const SESSION_COOKIE = "dockyard_session";
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** Who is asking: a guest, or a signed-in account (whose id is then the user id). */
export interface Viewer {
  userId: string;
  account: Account | null;
}

/** The visitor, once per request: the signed-in account if the session cookie is good, else the guest cookie. */
export const currentViewer = cache(async (): Promise<Viewer | undefined> => {
  const jar = await cookies();
  const token = jar.get(SECURE_SESSION_COOKIE)?.value ?? jar.get(SESSION_COOKIE)?.value;
  if (token) {
    const account = await accountForToken(db(), token);
    if (account) return { userId: account.id, account };
  }
  const guest = jar.get(USER_COOKIE)?.value;
  if (!guest || !USER_ID_PATTERN.test(guest)) return undefined;
  // A guest id that became an account is that account's: it takes a sign-in now, not the old cookie.
  const row = await db().user.findUnique({ where: { id: guest }, select: { email: true } });
  if (row?.email) return undefined;
  return { userId: guest, account: null };
});

export async function currentUserId(): Promise<string | undefined> {
  return (await currentViewer())?.userId;
}
