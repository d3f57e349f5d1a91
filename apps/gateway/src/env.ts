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
  /** Docker engine socket; dockerode's default is /var/run/docker.sock. */
  DOCKER_SOCKET: z.string().default("/var/run/docker.sock"),
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
