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
/** A random value the gateway gives a browser before sending it to be vouched for; the token must carry it back. */
export const PREVIEW_STATE_COOKIE = "dockyard_preview_state";
export const previewState = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
/** The gateway's own path on every preview host: it turns a preview token into the preview cookie. */
export const PREVIEW_AUTH_PATH = "/__dockyard/preview-auth";

export interface PreviewTarget {
  sessionId: string;
  host: string;
  port: number;
}

/** A preview host name as read: the target, and whether the name is written the canonical way. */
export interface ParsedPreviewHost extends PreviewTarget {
  canonical: boolean;
}

const SESSION = "s-[0-9a-f]{16}";
/** `<session>[-<host>]-<port>[-<katacoda host>]`: the last part is what `[[KATACODA_HOST]]` leaves, ignored. */
const LABEL = new RegExp(`^(${SESSION})(?:-([a-z][a-z0-9]{0,30}))?-(\\d{1,5})(?:-([a-z][a-z0-9]{0,30}))?$`);

const validPort = (text: string | undefined) => {
  const port = Number(text);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
};

/**
 * The preview a host name (or Host header, port included) names, if it is a preview host at all. Katacoda's order,
 * `<session>-<port>-<host>`, names the same preview, but not canonically (the gateway redirects it).
 */
export function parsePreviewHost(hostHeader: string | undefined): ParsedPreviewHost | undefined {
  if (!hostHeader) return undefined;
  const label = (hostHeader.toLowerCase().split(".")[0] ?? "").split(":")[0] ?? "";
  const match = LABEL.exec(label);
  if (!match?.[1]) return undefined;
  const [, session, before, portText, after] = match;
  const port = validPort(portText);
  if (!port) return undefined;
  const target = { sessionId: session, host: before ?? after ?? "host01", port };
  return { ...target, canonical: label === previewLabel(target) };
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
  /** The browser's state cookie on the preview host: the token works only in the browser that asked for it. */
  state: previewState,
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
