import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * An `ssh` environment's hosts are machines from an admin's pool; the environment map names such a host's image
 * `ssh://<pool>` (packages/scenario's `sshPoolImage`). Docker image references never contain `://`.
 */
export const SSH_IMAGE_PREFIX = "ssh://";

/** The pool an image names (`ssh://kubeadm` -> `kubeadm`), or undefined for a container image. */
export function sshPoolOf(image: string): string | undefined {
  return image.startsWith(SSH_IMAGE_PREFIX) ? image.slice(SSH_IMAGE_PREFIX.length) : undefined;
}

/** One machine of a pool, with every connection setting resolved. */
export interface SshMachine {
  pool: string;
  name: string;
  /** Where the gateway connects (a name or an address). */
  address: string;
  port: number;
  user: string;
  /** The private key the gateway logs in with. */
  keyFile: string;
  /** Pinned host key (`ssh-ed25519 AAAA…`); or else */
  hostKey?: string;
  /** a known_hosts file that lists the machine under its address. */
  knownHostsFile?: string;
  /** Where the session's other machines reach it (their /etc/hosts names it host01, host02, …); default `address`. */
  peerAddress?: string;
}

export interface SshPool {
  name: string;
  machines: SshMachine[];
  /**
   * Run by the gateway (`/bin/sh -c`) for each machine a session gave back, with DOCKYARD_MACHINE, DOCKYARD_ADDRESS,
   * DOCKYARD_SSH and the rest in its environment; exit 0 puts the machine back in the pool.
   */
  reset: { command: string; timeoutSeconds: number };
  connectTimeoutSeconds: number;
}

export type SshPools = Map<string, SshPool>;

const name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "a-z, 0-9, '.', '_' and '-', starting with a letter or digit");
// No leading '-': an address must never read as an option of ssh.
const address = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._:-]{0,253}$/, "a host name or an IP address");
const path = z.string().regex(/^\/\S+$/, "an absolute path without spaces");
const user = z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, "a user name");
const hostKey = z
  .string()
  .trim()
  .regex(
    /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/]+={0,2}$/,
    "a public key: type and base64, as in a .pub file without its comment",
  );
/** Settings a pool gives all its machines, and a machine may set for itself. */
const connection = {
  port: z.number().int().min(1).max(65535).optional(),
  user: user.optional(),
  keyFile: path.optional(),
  knownHostsFile: path.optional(),
};
const machineSchema = z.strictObject({
  name,
  address,
  peerAddress: address.optional(),
  hostKey: hostKey.optional(),
  ...connection,
});
const poolSchema = z
  .strictObject({
    ...connection,
    connectTimeoutSeconds: z.number().int().min(1).max(120).default(10),
    reset: z.strictObject({
      command: z.string().min(1).max(4096),
      timeoutSeconds: z
        .number()
        .int()
        .min(1)
        .max(24 * 3600)
        .default(600),
    }),
    machines: z.array(machineSchema).min(1).max(1000),
  })
  .superRefine((pool, ctx) => {
    const seen = new Set<string>();
    pool.machines.forEach((m, i) => {
      if (seen.has(m.name))
        ctx.addIssue({ code: "custom", path: ["machines", i, "name"], message: "names must differ" });
      seen.add(m.name);
      if (!(m.keyFile ?? pool.keyFile)) {
        ctx.addIssue({ code: "custom", path: ["machines", i, "keyFile"], message: "a key file (here or on the pool)" });
      }
      // The gateway never trusts a machine on first use: its host key is pinned or listed.
      if (!m.hostKey && !(m.knownHostsFile ?? pool.knownHostsFile)) {
        ctx.addIssue({
          code: "custom",
          path: ["machines", i, "hostKey"],
          message: "a host key, or a known_hosts file (here or on the pool)",
        });
      }
    });
  });
const poolsFile = z.strictObject({ pools: z.record(name, poolSchema) });

/** An admin's ssh pools file (JSON): machines per pool, how to reach them, and how to reset one. */
export function parseSshPools(text: string): { ok: true; pools: SshPools } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = poolsFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join(".") || "file"}: ${issue?.message ?? "invalid"}` };
  }
  const pools: SshPools = new Map();
  for (const [poolName, pool] of Object.entries(parsed.data.pools)) {
    pools.set(poolName, {
      name: poolName,
      reset: pool.reset,
      connectTimeoutSeconds: pool.connectTimeoutSeconds,
      machines: pool.machines.map((m) => {
        const knownHostsFile = m.knownHostsFile ?? pool.knownHostsFile;
        return {
          pool: poolName,
          name: m.name,
          address: m.address,
          port: m.port ?? pool.port ?? 22,
          user: m.user ?? pool.user ?? "root",
          keyFile: m.keyFile ?? pool.keyFile ?? "",
          ...(m.hostKey ? { hostKey: m.hostKey } : knownHostsFile ? { knownHostsFile } : {}),
          ...(m.peerAddress ? { peerAddress: m.peerAddress } : {}),
        };
      }),
    });
  }
  return { ok: true, pools };
}

/** Reads and parses the pools file; throws naming the file and the problem (the gateway does not start). */
export function loadSshPools(file: string): SshPools {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`The ssh pools file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const parsed = parseSshPools(text);
  if (!parsed.ok) throw new Error(`The ssh pools file ${file} is wrong: ${parsed.error}`);
  return parsed.pools;
}
