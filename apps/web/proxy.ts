import { type NextRequest, NextResponse } from "next/server";
import { env } from "./server/env.ts";

const USER_COOKIE = "dockyard_uid";
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

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

/** Refuses cross-site changes, and gives every new visitor an anonymous id, visible to this very request. */
export function proxy(request: NextRequest) {
  if (crossOrigin(request)) {
    return NextResponse.json(
      { error: { code: "FORBIDDEN", message: "This request came from another site and was refused (CSRF)." } },
      { status: 403 },
    );
  }
  if (request.cookies.has(USER_COOKIE)) return NextResponse.next();
  const id = crypto.randomUUID();
  request.cookies.set(USER_COOKIE, id);
  const response = NextResponse.next({ request: { headers: request.headers } });
  response.cookies.set(USER_COOKIE, id, {
    httpOnly: true,
    secure: request.nextUrl.protocol === "https:",
    sameSite: "lax",
    path: "/",
    maxAge: 60 * 60 * 24 * 365,
  });
  return response;
}

export const config = { matcher: ["/((?!_next/|favicon.ico).*)"] };
