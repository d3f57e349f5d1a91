import "server-only";
import { createHmac } from "node:crypto";
import { type Account, accountForToken, renameUser } from "@dockyard/db";
import { cookies } from "next/headers";
import { cache } from "react";
import { db } from "./db.ts";
import { env } from "./env.ts";

/**
 * A guest's key: 32 random bytes in an httpOnly cookie, set by proxy.ts on the first request. The guest's user id is
 * derived from it (an HMAC under DOCKYARD_SECRET), so ids can be shown (to instructors, admins, in container labels)
 * without handing anyone the key. Over HTTPS both cookies carry the `__Host-` prefix: no subdomain (a port preview)
 * can set them.
 */
export const USER_COOKIE = "dockyard_uid";
export const SECURE_USER_COOKIE = `__Host-${USER_COOKIE}`;
export const GUEST_KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Before guest keys, the cookie held the guest's id itself (a UUID); such a guest is moved to its derived id once. */
const LEGACY_GUEST = /^[a-f0-9-]{36}$/;
/** A signed-in browser's token. */
export const SESSION_COOKIE = "dockyard_session";
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** Who is asking: a guest, or a signed-in account (whose id is then the user id). */
export interface Viewer {
  userId: string;
  account: Account | null;
}

export const guestIdFor = (key: string) =>
  `g-${createHmac("sha256", env().DOCKYARD_SECRET).update(`guest:${key}`).digest("hex").slice(0, 32)}`;

/** Reads a cookie by its `__Host-` name, or (over plain HTTP only, where that name cannot be set) its plain one. */
function cookieOf(jar: Awaited<ReturnType<typeof cookies>>, secure: string, plain: string): string | undefined {
  const prefixed = jar.get(secure)?.value;
  if (prefixed) return prefixed;
  const publicUrl = env().PUBLIC_URL;
  return publicUrl?.startsWith("https:") ? undefined : jar.get(plain)?.value;
}

/** The visitor, once per request: the signed-in account if the session cookie is good, else the guest cookie's. */
export const currentViewer = cache(async (): Promise<Viewer | undefined> => {
  const jar = await cookies();
  const token = cookieOf(jar, SECURE_SESSION_COOKIE, SESSION_COOKIE);
  if (token) {
    const account = await accountForToken(db(), token);
    if (account) return { userId: account.id, account };
  }
  const key = cookieOf(jar, SECURE_USER_COOKIE, USER_COOKIE);
  if (!key) return undefined;
  if (GUEST_KEY_PATTERN.test(key)) return { userId: guestIdFor(key), account: null };
  if (!LEGACY_GUEST.test(key)) return undefined;
  // A guest from before keys: their rows move to the id derived from the same cookie, once.
  const id = guestIdFor(key);
  const legacy = await db().user.findUnique({ where: { id: key }, select: { email: true } });
  if (legacy && !legacy.email) await renameUser(db(), key, id).catch(() => undefined);
  return { userId: id, account: null };
});

export async function currentUserId(): Promise<string | undefined> {
  return (await currentViewer())?.userId;
}
