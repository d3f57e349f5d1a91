import "server-only";
import { resolve } from "node:path";
import { z } from "zod";

const schema = z.object({
  DATABASE_URL: z.string().default(`file:${resolve(process.cwd(), "../../.dockyard/dockyard.db")}`),
  /** Shared with the gateway: signs terminal tokens and authenticates calls to its internal API. */
  DOCKYARD_SECRET: z.string().min(16, "DOCKYARD_SECRET must be at least 16 characters"),
  /** The gateway's internal HTTP API, as the web server reaches it. */
  GATEWAY_URL: z.string().url().default("http://127.0.0.1:3001"),
  /** The gateway as browsers reach it (ws:// or wss://). Unset: the page's own host name on GATEWAY_PUBLIC_PORT. */
  GATEWAY_PUBLIC_URL: z.string().optional(),
  GATEWAY_PUBLIC_PORT: z.coerce.number().int().default(3001),
  /**
   * Folders of scenarios, colon-separated: each a scenario, a course or a whole repository (Katacoda or
   * Killercoda layout). SCENARIOS_DIR, a single folder, is read when this is unset.
   */
  SCENARIOS_PATH: z
    .string()
    .optional()
    .transform((value) => value?.split(":").filter(Boolean)),
  SCENARIOS_DIR: z.string().default(resolve(process.cwd(), "../../scenarios")),
  /**
   * Where port previews are served, `*` standing for `<session>-<port>` (the gateway answers them). Unset:
   * `http://*.localhost:<GATEWAY_PUBLIC_PORT>`, which browsers resolve without DNS.
   */
  PREVIEW_ORIGIN: z
    .string()
    .regex(/^https?:\/\/\*\.[A-Za-z0-9.-]+(:\d+)?$/, "PREVIEW_ORIGIN looks like http://*.labs.example.com")
    .optional(),
  /**
   * Authoring mode (`npm run dev`): scenario pages reload when their files change, and the player shows the
   * Script log (every script's outcome and output) of the visitor's own sandbox.
   */
  DOCKYARD_AUTHORING: z
    .enum(["0", "1", "true", "false", ""])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  /** Bearer token Prometheus sends to scrape /metrics; unset, /metrics is off (404). */
  DOCKYARD_METRICS_TOKEN: z.string().min(16, "DOCKYARD_METRICS_TOKEN must be at least 16 characters").optional(),
  /** A JSON file of environments (image id to hosts and images) laid over the built-in map; see the README. */
  ENVIRONMENTS_FILE: z.string().optional(),
  /** Shared with the gateway: may scenarios get hosts with their own Docker engine (the `docker` environment)? */
  SANDBOX_ALLOW_DOCKER: z
    .enum(["on", "off"])
    .default("off")
    .transform((v) => v === "on"),
  SANDBOX_IMAGE: z.string().default("dockyard/sandbox:latest"),
  /**
   * The address browsers use (https://labs.example.com). Forms and actions are accepted only from it (CSRF); unset,
   * from the request's own Host.
   */
  PUBLIC_URL: z.string().url().optional(),
  /** Behind a reverse proxy: trust its X-Forwarded-For (the last address) for per-client rate limits. */
  TRUST_PROXY: z
    .enum(["0", "1", "true", "false", ""])
    .default("0")
    .transform((v) => v === "1" || v === "true"),
  /** Lets anyone make an account on the sign-up page (on by default); off, only admins add people. */
  DOCKYARD_SIGNUP: z
    .enum(["on", "off"])
    .default("on")
    .transform((v) => v === "on"),
});

export type WebEnv = Omit<z.infer<typeof schema>, "SCENARIOS_PATH"> & { SCENARIOS_PATH: string[] };

let cached: WebEnv | undefined;

/** Parsed once; nowhere else in the web app reads process.env. */
export function env(): WebEnv {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) throw new Error(`Bad web configuration:\n${z.prettifyError(parsed.error)}`);
  cached = { ...parsed.data, SCENARIOS_PATH: parsed.data.SCENARIOS_PATH ?? [parsed.data.SCENARIOS_DIR] };
  return cached;
}
