import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { dockyardError, err, ok, type Result } from "@dockyard/protocol";

const run = promisify(execFile);

/** Every session network's bridge is named `dy-<12 hex>`; the firewall matches them all as `dy+`. */
export const BRIDGE_PREFIX = "dy-";
export const bridgeName = (sessionId: string) =>
  `${BRIDGE_PREFIX}${createHash("sha256").update(sessionId).digest("hex").slice(0, 12)}`;

export interface FirewallOptions {
  /**
   * Destinations no sandbox may reach beyond its own network, besides the host itself: the cloud metadata range by
   * default; an admin adds the office LAN or internal services.
   */
  blockedNetworks: string[];
  /** Run iptables with these arguments (tests and dry runs replace it). */
  iptables?: (args: string[]) => Promise<void>;
  /** The same for ip6tables. */
  ip6tables?: (args: string[]) => Promise<void>;
}

export interface FirewallRule {
  chain: string;
  rule: string[];
}

/**
 * The rules that keep sandboxes from the host and from what the admin blocks. Two chains of Dockyard's own, hooked
 * in front of everything else for packets from any `dy-` bridge:
 * - DOCKYARD-INPUT (from INPUT: packets for the host itself, whichever of its addresses): only replies to
 *   connections the host opened (port previews, the gateway reaching a sandbox) pass; everything else, the web app,
 *   the gateway, the database, a Docker API on TCP, SSH, is refused.
 * - DOCKYARD-FORWARD (from DOCKER-USER: packets routed onwards): the blocked networks are refused.
 * Sessions cannot reach each other: each has a bridge of its own, and Docker drops traffic between bridges.
 */
export function firewallRules(options: FirewallOptions): FirewallRule[] {
  const reject = ["-j", "REJECT", "--reject-with", "icmp-admin-prohibited"];
  return [
    { chain: "DOCKYARD-INPUT", rule: ["-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"] },
    { chain: "DOCKYARD-INPUT", rule: ["-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"] },
    { chain: "DOCKYARD-INPUT", rule: reject },
    ...options.blockedNetworks.map((cidr) => ({ chain: "DOCKYARD-FORWARD", rule: ["-d", cidr, ...reject] })),
  ];
}

/**
 * Installs the rules (idempotent: Dockyard's chains are flushed and refilled, the hooks added once). Needs root (or
 * CAP_NET_ADMIN) and iptables; without them the sandboxes still run, and the health check says isolation is off.
 */
type Runner = (args: string[]) => Promise<void>;

/** Whether a command succeeds (a chain that exists already, a rule that is there already). */
const succeeds = (table: Runner, args: string[]) =>
  table(args).then(
    () => true,
    () => false,
  );

/** Puts `chain` first in `parent` for packets from any sandbox bridge, once. */
async function hookFirst(table: Runner, parent: string, chain: string): Promise<void> {
  const hook = ["-i", `${BRIDGE_PREFIX.slice(0, -1)}+`, "-j", chain];
  if (!(await succeeds(table, ["-C", parent, ...hook]))) await table(["-I", parent, "1", ...hook]);
}

export async function ensureFirewall(options: FirewallOptions): Promise<Result<{ rules: number }>> {
  const iptables: Runner =
    options.iptables ?? (async (args: string[]) => void (await run("iptables", ["-w", "5", ...args])));
  const ip6: Runner =
    options.ip6tables ?? (async (args: string[]) => void (await run("ip6tables", ["-w", "5", ...args])));
  try {
    for (const chain of ["DOCKYARD-INPUT", "DOCKYARD-FORWARD"]) {
      await succeeds(iptables, ["-N", chain]);
      await iptables(["-F", chain]);
    }
    const rules = firewallRules(options);
    for (const { chain, rule } of rules) await iptables(["-A", chain, ...rule]);
    // DOCKER-USER exists once Docker has started; Docker never flushes it.
    await succeeds(iptables, ["-N", "DOCKER-USER"]);
    await hookFirst(iptables, "INPUT", "DOCKYARD-INPUT");
    await hookFirst(iptables, "DOCKER-USER", "DOCKYARD-FORWARD");
    // IPv6 is off inside sandboxes; should a host have it on anyway, nothing from a sandbox bridge reaches the host
    // over it either. Best effort: a host without ip6tables has no IPv6 firewall to fill.
    await succeeds(ip6, ["-N", "DOCKYARD-INPUT"]);
    if (await succeeds(ip6, ["-F", "DOCKYARD-INPUT"])) {
      await ip6(["-A", "DOCKYARD-INPUT", "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "RETURN"]);
      await ip6(["-A", "DOCKYARD-INPUT", "-j", "REJECT"]);
      await hookFirst(ip6, "INPUT", "DOCKYARD-INPUT");
    }
    return ok({ rules: rules.length });
  } catch (error) {
    const message = (error as { stderr?: string; message?: string }).stderr?.trim() || (error as Error).message;
    return err(dockyardError("INTERNAL", `Sandbox isolation is not in place: iptables failed (${message}).`));
  }
}
