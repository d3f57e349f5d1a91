import { randomBytes } from "node:crypto";
import {
  PREVIEW_COOKIE_TTL_SECONDS,
  PREVIEW_TOKEN_TTL_SECONDS,
  type PreviewCookieClaims,
  type PreviewTarget,
  type PreviewTokenClaims,
  previewCookieClaims,
  previewTokenClaims,
} from "@dockyard/protocol";
import { nowSeconds, signClaims, verifyClaims } from "./signed.ts";

/** Minted by the web app for a viewer it allows: traded once, within a minute, for the preview cookie. */
export function mintPreviewToken(
  viewer: string,
  target: PreviewTarget,
  state: string,
  secret: string,
  now?: number,
): string {
  const claims: PreviewTokenClaims = {
    aud: "preview",
    state,
    sub: viewer,
    sid: target.sessionId,
    host: target.host,
    port: target.port,
    jti: randomBytes(12).toString("base64url"),
    exp: nowSeconds(now) + PREVIEW_TOKEN_TTL_SECONDS,
  };
  return signClaims(claims, secret);
}

export const verifyPreviewToken = (token: string, secret: string, now?: number) =>
  verifyClaims(token, secret, previewTokenClaims, now);

/** The value of the preview cookie on the host of one port of one session. */
export function mintPreviewCookie(
  claims: Omit<PreviewCookieClaims, "aud" | "exp">,
  secret: string,
  now?: number,
): string {
  return signClaims({ aud: "preview-cookie", ...claims, exp: nowSeconds(now) + PREVIEW_COOKIE_TTL_SECONDS }, secret);
}

export const verifyPreviewCookie = (value: string, secret: string, now?: number) =>
  verifyClaims(value, secret, previewCookieClaims, now);

/** Whether signed claims name exactly this preview (a cookie or token for another port or host is no use here). */
export const claimsMatch = (claims: { sid: string; host: string; port: number }, target: PreviewTarget) =>
  claims.sid === target.sessionId && claims.host === target.host && claims.port === target.port;
