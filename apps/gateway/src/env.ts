import { z } from "zod";

const schema = z.object({
  GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  GATEWAY_HOST: z.string().default("0.0.0.0"),
  /** The control API for the web app, on a private address of its own. */
  GATEWAY_INTERNAL_PORT: z.coerce.number().int().min(1).max(65535).default(3002),
  GATEWAY_INTERNAL_HOST: z.string().default("127.0.0.1"),
  /** Shared with the web app: signs terminal tokens and authenticates the internal API. */
  DOCKYARD_SECRET: z.string().min(16, "DOCKYARD_SECRET must be at least 16 characters"),
  /** Extra origins allowed to open terminals, comma-separated; the page's own host is always allowed. */
  DOCKYARD_ALLOWED_ORIGINS: z
    .string()
    .default("")
    .transform((s) =>
      s
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  /** The web app as browsers reach it: port previews send viewers there to be let in. */
  WEB_PUBLIC_URL: z.string().url().default("http://localhost:3000"),
  /** Labels this installation's sandboxes (dockyard.instance). */
  DOCKYARD_INSTANCE: z
    .string()
    .regex(/^[a-z0-9-]{1,32}$/)
    .default("default"),
  /**
   * This gateway among those of the installation, stable across its restarts: its machines for `ssh` environments
   * are leased as engine `ssh:<name>`, which only it reconciles. Default: the host name and GATEWAY_PORT (set it where
   * the host name changes, as a container's does when it is made again).
   */
  GATEWAY_NAME: z
    .string()
    .regex(/^[a-z0-9.-]{1,63}$/)
    .optional(),
  /** The database shared with the web app (sandbox leases; lab sessions closed when their sandbox goes). */
  DATABASE_URL: z.string().min(1),
  /** May sandboxes reach the internet? An environment can only narrow this. */
  SANDBOX_INTERNET: z
    .enum(["on", "off"])
    .default("on")
    .transform((v) => v === "on"),
  /** Networks no sandbox may reach (besides the host itself, always refused), comma-separated CIDRs. */
  SANDBOX_BLOCKED_NETWORKS: z
    .string()
    .default("169.254.0.0/16")
    .transform((s) =>
      s
        .split(",")
        .map((c) => c.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[0-9.]+\/\d{1,2}$/, "a CIDR such as 10.0.0.0/8"))),
  /** Whether to install the host firewall at boot (needs root); "off" only where another firewall does the job. */
  SANDBOX_FIREWALL: z.enum(["on", "off"]).default("on"),
  /** Hosts with their own Docker engine (the `docker` environment): more privileges, so off unless an admin says. */
  SANDBOX_ALLOW_DOCKER: z
    .enum(["on", "off"])
    .default("off")
    .transform((v) => v === "on"),
  /** The range session networks get their subnets from, a /27 each. */
  SANDBOX_SUBNETS: z
    .string()
    .regex(/^[0-9.]+\/\d{1,2}$/, "a CIDR such as 10.213.0.0/16")
    .default("10.213.0.0/16"),
  /** Sandboxes kept warm per kind of session (the plain sandbox from the start, others once asked for); 0: none. */
  SANDBOX_POOL_SIZE: z.coerce.number().int().min(0).max(50).default(2),
  /** The most warm sandboxes events may reserve in all (each event asks for its own, up to 20). */
  SANDBOX_POOL_RESERVED_MAX: z.coerce.number().int().min(0).max(1000).default(30),
  /** The plain sandbox image, whose pool is warmed at boot. */
  SANDBOX_IMAGE: z.string().default("dockyard/sandbox:latest"),
  /**
   * What the registry mirror (beside `docker` sandboxes) caches pulls from when it can reach it; `off`: it serves the
   * preloaded images only.
   */
  SANDBOX_REGISTRY_UPSTREAM: z.union([z.literal("off"), z.url()]).default("https://registry-1.docker.io"),
  SANDBOX_MAX_SESSIONS: z.coerce.number().int().min(1).default(100),
  SANDBOX_MAX_PER_USER: z.coerce.number().int().min(1).default(3),
  SANDBOX_MAX_STARTING: z.coerce.number().int().min(1).default(10),
  /** A sandbox's life, what one extension adds (the same), and the most it can reach. */
  SANDBOX_TTL_SECONDS: z.coerce.number().int().min(10).default(3600),
  SANDBOX_MAX_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(10)
    .default(4 * 3600),
  /** No terminal attached and no activity for this long: removed. */
  SANDBOX_IDLE_SECONDS: z.coerce.number().int().min(5).default(1200),
  /** Disk a sandbox host may fill (MiB); the engine enforces it where it can, the gateway's watch elsewhere. */
  SANDBOX_DISK_MB: z.coerce.number().int().min(64).default(4096),
  /** How often expired, idle and disk-filling sandboxes are looked for. */
  SANDBOX_REAP_SECONDS: z.coerce.number().min(0.2).default(15),
  /**
   * Machines for `ssh` environments: a JSON file of pools (docs/architecture.md, "Whole machines: the ssh
   * environment"). Unset: this gateway serves no ssh environment.
   */
  SANDBOX_SSH_POOLS_FILE: z.string().min(1).optional(),
  /** Which session holds which machine (JSON, kept across restarts); default ssh-machines.json beside the SQLite file. */
  SANDBOX_SSH_STATE_FILE: z.string().min(1).optional(),
  /** Docker engine socket; dockerode's default is /var/run/docker.sock. Registered as engine `local` at first start. */
  DOCKER_SOCKET: z.string().default("/var/run/docker.sock"),
  /** How often every registered Docker engine is checked (and the engines read again from the database). */
  ENGINE_CHECK_SECONDS: z.coerce.number().min(0.2).max(300).default(5),
  /** Failed checks in a row after which an engine is down: its sandboxes are marked lost, new ones go elsewhere. */
  ENGINE_DOWN_AFTER: z.coerce.number().int().min(1).max(100).default(3),
});

export type GatewayEnv = z.infer<typeof schema>;

/** Parsed once at boot; nowhere else reads process.env. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): GatewayEnv {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Bad gateway configuration:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
