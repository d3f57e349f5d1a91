import { z } from "zod";
import { hostName, sessionId } from "./internal-api.ts";

/**
 * Port previews: every port of every host of a session has a host name of its own, so a web app served from the
 * sandbox sees an ordinary origin (absolute paths, cookies and WebSockets work unchanged).
 *
 * The first label of the preview host name is `<session>-<port>` for host01 and `<session>-<host>-<port>` for the
 * other hosts (Katacoda's order, `<session>-<port>-<host>`, is accepted too). The rest of the name (the preview
 * domain, `localhost` by default) is the admin's choice; `*.localhost` needs no DNS in browsers.
 */

export const PREVIEW_COOKIE = "dockyard_preview";
/** The gateway's own path on every preview host: it turns a preview token into the preview cookie. */
export const PREVIEW_AUTH_PATH = "/__dockyard/preview-auth";

export interface PreviewTarget {
  sessionId: string;
  host: string;
  port: number;
}

const SESSION = "s-[0-9a-f]{16}";
const LABEL = new RegExp(
  `^(${SESSION})-(?:(\\d{1,5})|([a-z][a-z0-9]{0,30})-(\\d{1,5})|(\\d{1,5})-([a-z][a-z0-9]{0,30}))$`,
);

const validPort = (text: string | undefined) => {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
};

/** The preview a host name (or Host header, port included) names, if it is a preview host at all. */
export function parsePreviewHost(hostHeader: string | undefined): PreviewTarget | undefined {
  if (!hostHeader) return undefined;
  const label = hostHeader.toLowerCase().split(".")[0] ?? "";
  const match = LABEL.exec(label.split(":")[0] ?? "");
  if (!match?.[1]) return undefined;
  const [, session, portOnly, hostA, portA, portB, hostB] = match;
  const host = hostA ?? hostB ?? "host01";
  const port = validPort(portOnly ?? portA ?? portB);
  return port ? { sessionId: session, host, port } : undefined;
}

/** `<session>-<port>` for host01, `<session>-<host>-<port>` for the others. */
export function previewLabel(target: PreviewTarget): string {
  return target.host === "host01"
    ? `${target.sessionId}-${target.port}`
    : `${target.sessionId}-${target.host}-${target.port}`;
}

/**
 * The origin of a preview from the admin's template, where `*` stands for the label
 * (`http://*.localhost:3001` by default).
 */
export function previewOrigin(template: string, target: PreviewTarget): string {
  return template.replace("*", previewLabel(target));
}

/** The web app vouches for the viewer by minting this; the gateway trades it once for the preview cookie. */
export const previewTokenClaims = z.object({
  aud: z.literal("preview"),
  sub: z.string().min(1),
  sid: sessionId,
  host: hostName,
  port: z.number().int().min(1).max(65535),
  jti: z.string().min(8).max(64),
  exp: z.number().int(),
});
export type PreviewTokenClaims = z.infer<typeof previewTokenClaims>;
export const PREVIEW_TOKEN_TTL_SECONDS = 60;

/** The cookie on one preview host: the viewer may use that port of that host, until `exp`. */
export const previewCookieClaims = z.object({
  aud: z.literal("preview-cookie"),
  sub: z.string().min(1),
  sid: sessionId,
  host: hostName,
  port: z.number().int().min(1).max(65535),
  exp: z.number().int(),
});
export type PreviewCookieClaims = z.infer<typeof previewCookieClaims>;
export const PREVIEW_COOKIE_TTL_SECONDS = 60 * 60;
