import { type NextRequest, NextResponse } from "next/server";

const USER_COOKIE = "dockyard_uid";

/** Gives every new visitor an anonymous id, visible to the page that is being rendered for this very request. */
export function proxy(request: NextRequest) {
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
