import "server-only";
import { randomBytes } from "node:crypto";
import { createAuthSession } from "@dockyard/db";
import { db } from "./db.ts";
import { env } from "./env.ts";
import { SECURE_SESSION_COOKIE, SECURE_USER_COOKIE, SESSION_COOKIE, USER_COOKIE } from "./user.ts";

/** Whether the browser reached us over HTTPS (directly, by PUBLIC_URL, or through a trusted proxy). */
export function isSecure(request: Request): boolean {
  const { PUBLIC_URL, TRUST_PROXY } = env();
  if (PUBLIC_URL) return PUBLIC_URL.startsWith("https:");
  if (new URL(request.url).protocol === "https:") return true;
  return TRUST_PROXY && request.headers.get("x-forwarded-proto") === "https";
}

const cookie = (name: string, value: string, secure: boolean, maxAge: number) =>
  `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? "; Secure" : ""}`;

/**
 * Signs the browser in to `userId` on `response`: a new session cookie, and a new guest id, so that signing out
 * later leaves a fresh guest rather than the account's old guest cookie.
 */
export async function signIn(request: Request, userId: string, response: Response): Promise<Response> {
  const secure = isSecure(request);
  const { token, expiresAt } = await createAuthSession(db(), userId, request.headers.get("user-agent") ?? undefined);
  const maxAge = Math.floor((expiresAt.getTime() - Date.now()) / 1000);
  response.headers.append("set-cookie", cookie(secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE, token, secure, maxAge));
  response.headers.append(
    "set-cookie",
    cookie(
      secure ? SECURE_USER_COOKIE : USER_COOKIE,
      randomBytes(32).toString("base64url"),
      secure,
      60 * 60 * 24 * 365,
    ),
  );
  return response;
}

export function clearSession(request: Request, response: Response): Response {
  const secure = isSecure(request);
  response.headers.append("set-cookie", cookie(SESSION_COOKIE, "", false, 0));
  if (secure) response.headers.append("set-cookie", cookie(SECURE_SESSION_COOKIE, "", true, 0));
  return response;
}
