import { createHmac, timingSafeEqual } from "node:crypto";
import { type DockyardError, dockyardError, err, ok, type Result } from "@dockyard/protocol";
import type { z } from "zod";

const b64 = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const sign = (payload: string, secret: string) => createHmac("sha256", secret).update(payload).digest();

/** `base64url(json).base64url(hmac-sha256)`: a compact signed value for tokens and cookies. */
export function signClaims(claims: object, secret: string): string {
  const payload = b64(JSON.stringify(claims));
  return `${payload}.${b64(sign(payload, secret))}`;
}

/** Checks signature, shape (the schema) and `exp` (seconds). Any failure is UNAUTHENTICATED and says why. */
export function verifyClaims<T extends z.ZodType<{ exp: number }>>(
  token: string,
  secret: string,
  schema: T,
  now: number = Date.now(),
): Result<z.output<T>, DockyardError> {
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
  const claims = schema.safeParse(json);
  if (!claims.success) return err(dockyardError("UNAUTHENTICATED", "Malformed token claims."));
  if (claims.data.exp * 1000 <= now) return err(dockyardError("UNAUTHENTICATED", "The token has expired."));
  return ok(claims.data);
}

export const nowSeconds = (now: number = Date.now()) => Math.floor(now / 1000);
