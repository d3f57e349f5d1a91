import { randomBytes } from "node:crypto";
import {
  type DockyardError,
  type Result,
  TERMINAL_TOKEN_TTL_SECONDS,
  type TerminalTokenClaims,
  terminalTokenClaims,
} from "@dockyard/protocol";
import { nowSeconds, signClaims, verifyClaims } from "./signed.ts";

/** Mints a short-lived token granting `claims.sub` a terminal on one host of one session. */
export function mintTerminalToken(
  claims: Omit<TerminalTokenClaims, "exp" | "jti">,
  secret: string,
  options: { ttlSeconds?: number; now?: number } = {},
): string {
  const full: TerminalTokenClaims = {
    ...claims,
    jti: randomBytes(12).toString("base64url"),
    exp: nowSeconds(options.now) + (options.ttlSeconds ?? TERMINAL_TOKEN_TTL_SECONDS),
  };
  return signClaims(full, secret);
}

/** Checks signature, shape and expiry. Any failure is UNAUTHENTICATED and says why. */
export function verifyTerminalToken(
  token: string,
  secret: string,
  now: number = Date.now(),
): Result<TerminalTokenClaims, DockyardError> {
  return verifyClaims(token, secret, terminalTokenClaims, now);
}
