import { z } from "zod";

/**
 * Katacoda and Killercoda name a scenario's environment by image id (`ubuntu`, `bash`, `docker`,
 * `kubernetes-kubeadm-2nodes`, `python:3.8`, ...). Dockyard maps each id to its own images and a host count.
 */
export interface EnvironmentSpec {
  /**
   * The hosts, host01 first: one container each; `docker` ones run their own Docker engine. In an `ssh` environment
   * each is a machine from the gateway's pool, its image `ssh://<pool>` (`sshPoolImage`).
   */
  hosts: {
    name: string;
    image: string;
    workdir?: string;
    docker?: boolean;
    limits?: { memoryMb?: number; cpus?: number; pids?: number };
  }[];
  /** Shown to author and learner when the environment stands in for the original only in part. */
  note?: string;
  /** False: its sandboxes reach nothing beyond their own network (the admin's SANDBOX_INTERNET=off wins anyway). */
  internet?: boolean;
  /**
   * Labels an engine must carry to run it (the admin's Engines page sets engines' labels), such as `gpu` or `ssd`.
   * Hosts with their own Docker engine need `docker` whether named here or not.
   */
  engineLabels?: string[];
}

export interface EnvironmentMap {
  /** Exact ids, or a prefix ending in `*` (`ubuntu*` serves `ubuntu:2004`). */
  environments: Record<string, EnvironmentSpec>;
  /** Used for ids the map does not know, with a plain message to author and learner. */
  fallback: EnvironmentSpec;
}

export interface ResolvedEnvironment extends EnvironmentSpec {
  /** False when the id is not served as asked and the fallback stands in. */
  exact: boolean;
  /** Why the fallback stands in, for author and learner. */
  message?: string;
}

/**
 * The image of a host that is a machine from the gateway's ssh pool `pool` (an `ssh` environment): the gateway's
 * ssh driver takes those (packages/sandbox `sshPoolOf` reads it back). Docker image references never contain `://`.
 */
export const sshPoolImage = (pool: string) => `ssh://${pool}`;

/** The ssh pool a host's image names, or undefined for a container image. */
export const sshPoolOf = (image: string): string | undefined =>
  image.startsWith("ssh://") ? image.slice("ssh://".length) : undefined;

const single = (image: string, workdir?: string): EnvironmentSpec => ({
  hosts: [{ name: "host01", image, ...(workdir ? { workdir } : {}) }],
});

/** Two plain hosts that reach each other by name, for multi-host ids whose software is not here yet. */
const twoHosts = (image: string, what: string): EnvironmentSpec => ({
  hosts: [
    { name: "host01", image },
    { name: "host02", image },
  ],
  note: `The environment "${what}" runs here as two plain Linux hosts (host01 and host02), without its own software, so some steps may not work.`,
});

/** Where the `docker` environment is allowed (SANDBOX_ALLOW_DOCKER=on), and its image. */
export interface DockerEnvironment {
  allowed: boolean;
  image?: string;
}

/**
 * One Debian host serves every plain-Linux id; `docker` and `docker-swarm` get hosts with their own Docker engine
 * where the admin allows it (else plain hosts, saying so); the rest fall back with a message.
 */
export function defaultEnvironmentMap(
  sandboxImage = "dockyard/sandbox:latest",
  docker: DockerEnvironment = { allowed: false },
): EnvironmentMap {
  const linux = single(sandboxImage);
  const dockerImage = docker.image ?? "dockyard/sandbox-docker:latest";
  const withDocker = (names: string[]): EnvironmentSpec => ({
    hosts: names.map((name) => ({ name, image: dockerImage, docker: true })),
  });
  const dockerOff = (what: string, spec: EnvironmentSpec): EnvironmentSpec => ({
    ...spec,
    note: `The environment "${what}" needs Docker inside the sandbox, which is turned off on this Dockyard; it runs on ${spec.hosts.length === 1 ? "a plain Linux host" : "plain Linux hosts"}, so Docker commands will not work.`,
  });
  return {
    environments: {
      "ubuntu*": linux,
      "debian*": linux,
      bash: linux,
      "centos*": linux,
      // Katacoda's git environment opened its terminals in the scrapbook tutorial folder; its scenarios rely on it.
      git: single(sandboxImage, "/home/scrapbook/tutorial"),
      docker: docker.allowed ? withDocker(["host01"]) : dockerOff("docker", linux),
      "docker-swarm": docker.allowed
        ? withDocker(["host01", "host02"])
        : dockerOff("docker-swarm", twoHosts(sandboxImage, "docker-swarm")),
      "kubernetes-kubeadm-2nodes": twoHosts(sandboxImage, "kubernetes-kubeadm-2nodes"),
    },
    fallback: linux,
  };
}

export function resolveEnvironment(imageId: string, map: EnvironmentMap): ResolvedEnvironment {
  const id = imageId.trim().toLowerCase();
  const exact = map.environments[id];
  const served = (spec: EnvironmentSpec): ResolvedEnvironment => ({
    hosts: spec.hosts,
    exact: true,
    ...(spec.note ? { message: spec.note } : {}),
    ...(spec.internet === false ? { internet: false } : {}),
    ...(spec.engineLabels?.length ? { engineLabels: spec.engineLabels } : {}),
  });
  if (exact) return served(exact);
  for (const [pattern, spec] of Object.entries(map.environments)) {
    if (pattern.endsWith("*") && id.startsWith(pattern.slice(0, -1))) return served(spec);
  }
  return {
    ...map.fallback,
    exact: false,
    message: `The environment "${imageId}" is not available here; this scenario runs on a plain Linux host instead, so some steps may not work.`,
  };
}

const hostSpec = z.object({
  name: z.string().regex(/^[a-z][a-z0-9]{0,30}$/, "host names: a-z and 0-9, starting with a letter"),
  image: z.string().min(1).max(256),
  workdir: z
    .string()
    .regex(/^\/[A-Za-z0-9._/-]*$/)
    .optional(),
  docker: z.boolean().optional(),
  limits: z
    .strictObject({
      memoryMb: z
        .number()
        .int()
        .min(64)
        .max(64 * 1024)
        .optional(),
      cpus: z.number().min(0.1).max(64).optional(),
      pids: z.number().int().min(32).max(65536).optional(),
    })
    .optional(),
});
const environmentSpec = z.object({
  hosts: z
    .array(hostSpec)
    .min(1)
    .max(8)
    .refine((hosts) => new Set(hosts.map((h) => h.name)).size === hosts.length, "host names must differ"),
  note: z.string().max(500).optional(),
  internet: z.boolean().optional(),
  engineLabels: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, "engine labels: a-z, 0-9, dot, dash and underscore"))
    .max(8)
    .optional(),
});
/**
 * Hosts that are whole machines (a real kernel: kubeadm, systemd, kernel modules) from the gateway's ssh pool of
 * that name, one machine per host. The gateway's admin lists the machines (SANDBOX_SSH_POOLS_FILE); internet and
 * limits are the machines' own.
 */
const sshEnvironmentSpec = z.strictObject({
  type: z.literal("ssh"),
  pool: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "a pool name as in the gateway's ssh pools file"),
  hosts: z
    .array(hostSpec.pick({ name: true, workdir: true }).strict())
    .min(1)
    .max(8)
    .refine((hosts) => new Set(hosts.map((h) => h.name)).size === hosts.length, "host names must differ"),
  note: z.string().max(500).optional(),
});
/** Either kind, told apart by `type`, so that a mistake is reported against the kind meant. */
const anyEnvironmentSpec = z.unknown().transform((value, ctx): EnvironmentSpec => {
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== undefined && type !== "ssh") {
    ctx.addIssue({ code: "custom", message: '"ssh" (machines), or none (containers)', path: ["type"] });
    return z.NEVER;
  }
  const ssh = type === "ssh";
  const parsed = ssh ? sshEnvironmentSpec.safeParse(value) : environmentSpec.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  }
  if (!("type" in parsed.data)) return parsed.data;
  const { pool, hosts, note } = parsed.data;
  return { hosts: hosts.map((h) => ({ ...h, image: sshPoolImage(pool) })), ...(note ? { note } : {}) };
});
const environmentFile = z.strictObject({
  environments: z.record(z.string().min(1), anyEnvironmentSpec).default({}),
  fallback: environmentSpec.optional(),
});

/**
 * An admin's environments file (JSON): its ids replace or add to `base`'s, its `fallback` replaces the fallback.
 * Ids are matched in lower case; `prefix*` serves every id that starts with the prefix. An id may be an `ssh`
 * environment: `{ "type": "ssh", "pool": "kubeadm", "hosts": [{ "name": "controlplane" }, { "name": "node01" }] }`.
 */
export function parseEnvironmentMap(
  text: string,
  base: EnvironmentMap,
): { ok: true; map: EnvironmentMap } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not JSON: ${(error as Error).message}` };
  }
  const parsed = environmentFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `${issue?.path.join(".") || "file"}: ${issue?.message ?? "invalid"}` };
  }
  const environments = Object.fromEntries(
    Object.entries(parsed.data.environments).map(([id, spec]) => [id.trim().toLowerCase(), spec]),
  );
  return {
    ok: true,
    map: {
      environments: { ...base.environments, ...environments },
      fallback: parsed.data.fallback ?? base.fallback,
    },
  };
}
