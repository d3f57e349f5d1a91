import "server-only";
import { hostName, type PreviewTarget, parsePreviewHost, previewOrigin, type SessionState } from "@dockyard/protocol";
import { type PlaceholderContext, type Scenario, substitutePlaceholders } from "@dockyard/scenario";
import { env } from "./env.ts";
import { environmentFor } from "./environments.ts";
import { inspectSession } from "./gateway-client.ts";

/** `http://*.localhost:3001` unless the admin chose otherwise. */
export function previewTemplate(): string {
  const { PREVIEW_ORIGIN, GATEWAY_PUBLIC_PORT } = env();
  return PREVIEW_ORIGIN ?? `http://*.localhost:${GATEWAY_PUBLIC_PORT}`;
}

/** The preview URL of a port (ending in `/`). */
export const previewUrl = (target: PreviewTarget) => `${previewOrigin(previewTemplate(), target)}/`;

/** The preview a URL points at, if it is one of ours (right scheme, domain and port, not just a look-alike). */
export function previewOf(url: URL): PreviewTarget | undefined {
  const target = parsePreviewHost(url.host);
  return target && previewOrigin(previewTemplate(), target) === url.origin ? target : undefined;
}

/** Killercoda's `/etc/killercoda/host`: a URL with a literal PORT, for `sed 's/PORT/80/g'`. */
export const killercodaHostFile = (sessionId: string) => `${previewTemplate().replace("*", `${sessionId}-PORT`)}\n`;

/** The link that picks a port (or, with host and port, leads to that port's preview once a sandbox runs). */
export const trafficPath = (slug: string, host?: string, port?: number) =>
  `/scenarios/${encodeURIComponent(slug)}/traffic${host && port ? `/${host}/${port}/` : ""}`;

export const isHostName = (value: string) => hostName.safeParse(value).success;

/**
 * What placeholders mean for one learner and scenario: with a running session, real preview URLs and addresses;
 * before one exists, links to the picker route, which leads to the preview once the sandbox runs.
 */
export function placeholderContext(
  slug: string,
  hostNames: string[],
  session?: { id: string; hosts?: SessionState["hosts"] },
) {
  const domain = previewTemplate().replace(/^https?:\/\/\*\./, "");
  const context: PlaceholderContext = {
    trafficUrl: (host, port) =>
      session ? previewUrl({ sessionId: session.id, host, port }) : trafficPath(slug, host, port),
    trafficSelectorUrl: trafficPath(slug),
    previewDomain: domain,
    hostNames,
    ...(session ? { sessionId: session.id } : {}),
    ...(session?.hosts
      ? { hostIps: Object.fromEntries(session.hosts.flatMap((h) => (h.ip ? [[h.name, h.ip]] : []))) }
      : {}),
  };
  return context;
}

/**
 * What placeholders mean in these texts of a scenario, for its running session if there is one. The hosts'
 * addresses are looked up only when a text asks for one.
 */
export async function scenarioPlaceholders(scenario: Scenario, sessionId: string | undefined, texts: string[]) {
  const wantsIp = sessionId !== undefined && texts.some((t) => /\[\[HOST\d*_IP\]\]/.test(t));
  const state = wantsIp ? await inspectSession(sessionId) : undefined;
  const hostNames = environmentFor(scenario.imageId).hosts.map((h) => h.name);
  return placeholderContext(
    scenario.slug,
    hostNames,
    sessionId === undefined ? undefined : { id: sessionId, hosts: state?.ok ? state.value.hosts : undefined },
  );
}

/** Placeholders of scripts run in a session, filled. */
export async function sessionSubstitution(scenario: Scenario, sessionId: string, texts: string[]) {
  const context = await scenarioPlaceholders(scenario, sessionId, texts);
  return (text: string) => substitutePlaceholders(text, context);
}
