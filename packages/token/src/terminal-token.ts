import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import {
  type DockyardError,
  dockyardError,
  err,
  ok,
  type Result,
  TERMINAL_TOKEN_TTL_SECONDS,
  type TerminalTokenClaims,
  terminalTokenClaims,
} from "@dockyard/protocol";

const b64 = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const sign = (payload: string, secret: string) => createHmac("sha256", secret).update(payload).digest();

/** Mints a short-lived token granting `claims.sub` a terminal on one host of one session. */
export function mintTerminalToken(
  claims: Omit<TerminalTokenClaims, "exp" | "jti">,
  secret: string,
  options: { ttlSeconds?: number; now?: number } = {},
): string {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const full: TerminalTokenClaims = {
    ...claims,
    jti: randomBytes(12).toString("base64url"),
    exp: now + (options.ttlSeconds ?? TERMINAL_TOKEN_TTL_SECONDS),
  };
  const payload = b64(JSON.stringify(full));
  return `${payload}.${b64(sign(payload, secret))}`;
}

/** Checks signature, shape and expiry. Any failure is UNAUTHENTICATED and says why. */
export function verifyTerminalToken(
  token: string,
  secret: string,
  now: number = Date.now(),
): Result<TerminalTokenClaims, DockyardError> {
  const [payload, signature, extra] = token.split(".");
  if (!payload || !signature || extra !== undefined) return err(dockyardError("UNAUTHENTICATED", "Malformed token."));
  const expected = sign(payload, secret);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return err(dockyardError("UNAUTHENTICATED", "Bad token signature."));
  }
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return err(dockyardError("UNAUTHENTICATED", "Malformed token."));
  }
  const claims = terminalTokenClaims.safeParse(json);
  if (!claims.success) return err(dockyardError("UNAUTHENTICATED", "Malformed token claims."));
  if (claims.data.exp * 1000 <= now) return err(dockyardError("UNAUTHENTICATED", "The token has expired."));
  return ok(claims.data);
}
