import type { Scenario, ScenarioPage } from "./scenario.ts";

/**
 * Katacoda placeholders (`[[HOST_IP]]`, `[[HOST_SUBDOMAIN]]`, ...) and Killercoda traffic variables
 * (`{{TRAFFIC_HOST1_80}}`, `{{TRAFFIC_SELECTOR}}`), substituted in markdown and scripts alike. Whole Katacoda preview
 * URLs (`https://[[HOST_SUBDOMAIN]]-80-[[KATACODA_HOST]].environments.katacoda.com/path`) become Dockyard's preview
 * URL of that port, path kept.
 */
export interface PlaceholderContext {
  /** The URL (ending in `/`) that shows a port of a host: the preview itself, or a link that leads to it. */
  trafficUrl(host: string, port: number): string;
  /** Where the learner picks a port to open. */
  trafficSelectorUrl: string;
  /** The running session, when there is one: `[[HOST_SUBDOMAIN]]` and friends name it. */
  sessionId?: string;
  /** Addresses of the session's hosts by name (`host01`, ...): `[[HOST_IP]]`, `[[HOST2_IP]]`. */
  hostIps?: Record<string, string>;
  /** The preview domain, port included (`localhost:3001`): `[[KATACODA_DOMAIN]]`. */
  previewDomain: string;
  /** The environment's host names in order, when not host01, host02, ...: `HOST2` is the second. */
  hostNames?: string[];
}

/**
 * `HOST` → the first host, `HOST2` → the second, `CLIENT` → the first (Katacoda's client is the learner's side of
 * host01). Named by the environment, host01, host02, ... by default.
 */
const hostOf = (name: string | undefined, names: string[] = []) => {
  const n = Number(name?.replace(/^HOST/, "") || 1);
  const index = Number.isInteger(n) && n >= 1 && n <= 99 ? n : 1;
  return names[index - 1] ?? `host${String(index).padStart(2, "0")}`;
};

const KATACODA_URL =
  /(?:https?:\/\/)?\[\[(HOST\d*|CLIENT)_SUBDOMAIN\]\](?:-(\d{1,5}))?-\[\[KATACODA_HOST\]\]\.(?:environments\.katacoda\.com|\[\[KATACODA_DOMAIN\]\])\/?/g;
const TRAFFIC = /\{\{\s*TRAFFIC_HOST(\d{1,2})_(\d{1,5})\s*\}\}/g;
const SELECTOR = /\{\{\s*TRAFFIC_SELECTOR\s*\}\}/g;
const KATACODA = /\[\[(HOST\d*_IP|HOST\d*_SUBDOMAIN|CLIENT_SUBDOMAIN|KATACODA_HOST|KATACODA_DOMAIN)\]\]/g;

const validPort = (text: string | undefined, fallback: number) => {
  const port = Number(text ?? fallback);
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? port : undefined;
};

/** Whether a text holds anything `substitutePlaceholders` would change. */
export function hasPlaceholders(text: string): boolean {
  return /\[\[(?:HOST\d*_|CLIENT_|KATACODA_)[A-Z]+\]\]|\{\{\s*TRAFFIC_/.test(text);
}

export function substitutePlaceholders(text: string, context: PlaceholderContext): string {
  if (!hasPlaceholders(text)) return text;
  return text
    .replace(KATACODA_URL, (whole, host: string, port: string | undefined) => {
      const valid = validPort(port, 80);
      return valid ? context.trafficUrl(hostOf(host, context.hostNames), valid) : whole;
    })
    .replace(TRAFFIC, (whole, host: string, port: string) => {
      const valid = validPort(port, 0);
      return valid ? context.trafficUrl(hostOf(`HOST${host}`, context.hostNames), valid) : whole;
    })
    .replace(SELECTOR, context.trafficSelectorUrl)
    .replace(KATACODA, (whole, name: string) => {
      if (name === "KATACODA_DOMAIN") return context.previewDomain;
      // Alone, the host part of a preview name: `<session>-80-host01` still names port 80 of host01.
      if (name === "KATACODA_HOST") return "host01";
      const [prefix = "HOST", kind] = name.split("_");
      const host = hostOf(prefix, context.hostNames);
      if (kind === "IP") return context.hostIps?.[host] ?? whole;
      if (!context.sessionId) return whole;
      return host === "host01" ? context.sessionId : `${context.sessionId}-${host}`;
    });
}

/** The scenario with placeholders filled in every page's text and scripts (what a test run of one session needs). */
export function substituteScenario(scenario: Scenario, context: PlaceholderContext): Scenario {
  const fill = (text: string | undefined) => (text === undefined ? undefined : substitutePlaceholders(text, context));
  const page = <P extends ScenarioPage>(p: P): P => ({
    ...p,
    markdown: substitutePlaceholders(p.markdown, context),
    ...(p.background !== undefined ? { background: fill(p.background) } : {}),
    ...(p.foreground !== undefined ? { foreground: fill(p.foreground) } : {}),
  });
  return {
    ...scenario,
    ...(scenario.intro ? { intro: page(scenario.intro) } : {}),
    ...(scenario.finish ? { finish: page(scenario.finish) } : {}),
    steps: scenario.steps.map((step) => ({
      ...page(step),
      ...(step.verify !== undefined ? { verify: fill(step.verify) } : {}),
      ...(step.solve !== undefined ? { solve: fill(step.solve) } : {}),
      ...(step.hint !== undefined ? { hint: fill(step.hint) } : {}),
    })),
  };
}
