import { type NextRequest, NextResponse } from "next/server";
import { env } from "./server/env.ts";

const USER_COOKIE = "dockyard_uid";
const SESSION_COOKIE = "dockyard_session";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const YEAR = 60 * 60 * 24 * 365;
/** A signed-in session's cookie lasts this long after each visit (the server ends it 30 days after its last use). */
const SESSION_COOKIE_SECONDS = 30 * 24 * 60 * 60;

/**
 * CSRF: a request that changes something must come from Dockyard's own pages. Browsers say where a request comes
 * from (Origin, and Sec-Fetch-Site); one from another site, or from a port preview on a subdomain (same-site, so
 * SameSite cookies would not stop it), is refused. A client that is not a browser sends neither and carries no
 * victim's cookies, so it passes.
 */
function crossOrigin(request: NextRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const origin = request.headers.get("origin");
  if (origin !== null) {
    const expected = env().PUBLIC_URL
      ? new URL(env().PUBLIC_URL as string).origin
      : `${request.nextUrl.protocol}//${request.headers.get("host")}`;
    return origin !== expected;
  }
  const site = request.headers.get("sec-fetch-site");
  return site !== null && site !== "same-origin" && site !== "none";
}

const isSecure = (request: NextRequest) =>
  env().PUBLIC_URL?.startsWith("https:") ?? request.nextUrl.protocol === "https:";

/** 32 random bytes, base64url: a new guest's key. */
function newGuestKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/**
 * Refuses cross-site changes; gives every new visitor a guest key, visible to this very request; and keeps a
 * signed-in browser's cookie alive while it is used.
 */
export function proxy(request: NextRequest) {
  if (crossOrigin(request)) {
    return NextResponse.json(
      { error: { code: "FORBIDDEN", message: "This request came from another site and was refused (CSRF)." } },
      { status: 403 },
    );
  }
  const secure = isSecure(request);
  const guestName = secure ? `__Host-${USER_COOKIE}` : USER_COOKIE;
  const sessionName = secure ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
  const options = { httpOnly: true, secure, sameSite: "lax" as const, path: "/" };
  const session = request.cookies.get(sessionName)?.value;
  // A key of the right shape (or a guest id from before keys) stays; anything else is replaced by a new key.
  const current = request.cookies.get(guestName)?.value ?? "";
  if (/^[A-Za-z0-9_-]{43}$/.test(current) || /^[a-f0-9-]{36}$/.test(current)) {
    if (!session || request.method !== "GET") return NextResponse.next();
    const response = NextResponse.next();
    response.cookies.set(sessionName, session, { ...options, maxAge: SESSION_COOKIE_SECONDS });
    return response;
  }
  const key = newGuestKey();
  request.cookies.set(guestName, key);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(guestName, key, { ...options, maxAge: YEAR });
  return response;
}

export const config = { matcher: ["/((?!_next/|favicon.ico).*)"] };
