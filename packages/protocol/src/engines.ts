import { z } from "zod";

/**
 * The Docker engines sandboxes run on, as the gateway's control API and the admin's pages see them
 * (`/internal/engines`). TLS keys go in, never out.
 */

/** What leases and the admin call an engine. */
export const engineName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "engine name: 1-32 of a-z, 0-9, -");

/** What an engine offers (`docker`: hosts may run their own Docker engine); an environment may require some. */
export const engineLabel = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/, "label: 1-32 of a-z, 0-9, . _ -");

export const engineEndpoint = z
  .string()
  .trim()
  .max(512)
  .regex(
    /^(unix:\/\/\/[^\s\0]+|tcp:\/\/([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):\d{1,5})$/,
    "unix:///path/to/docker.sock or tcp://host:port",
  );

const pem = (what: string) =>
  z
    .string()
    .trim()
    .max(32 * 1024)
    .regex(/^-----BEGIN [A-Z0-9 ]+-----[\s\S]+-----END [A-Z0-9 ]+-----$/, `${what}: PEM text (-----BEGIN …)`);

/** POST /internal/engines: registers an engine, once it answered. */
export const engineRegistration = z.object({
  name: engineName,
  endpoint: engineEndpoint,
  /** The most users' sandboxes it runs at once. */
  capacity: z.number().int().min(1).max(10_000),
  labels: z.array(engineLabel).max(16).default([]),
  /** The range its session networks take /27s from; engines on one machine need disjoint ones. */
  subnets: z
    .string()
    .regex(/^[0-9.]+\/\d{1,2}$/, "a CIDR such as 10.214.0.0/16")
    .optional(),
  /** For a TCP engine: the CA that signed the engine's certificate, and the client's certificate and key. */
  tls: z.object({ ca: pem("CA"), cert: pem("certificate"), key: pem("key") }).optional(),
});
export type EngineRegistration = z.input<typeof engineRegistration>;

/** PATCH /internal/engines/:name: what may change once registered. */
export const engineUpdate = z
  .object({
    capacity: z.number().int().min(1).max(10_000).optional(),
    labels: z.array(engineLabel).max(16).optional(),
    /** A disabled engine gets no new sandboxes; those it runs carry on. */
    enabled: z.boolean().optional(),
  })
  .refine((u) => u.capacity !== undefined || u.labels !== undefined || u.enabled !== undefined, "nothing to change");
export type EngineUpdate = z.input<typeof engineUpdate>;

/** One engine as the admin sees it. */
export const engineRow = z.object({
  name: engineName,
  endpoint: z.string(),
  capacity: z.number().int(),
  labels: z.array(z.string()),
  subnets: z.string().nullable(),
  enabled: z.boolean(),
  /** down: it stopped answering, and its sandboxes were marked lost. */
  state: z.enum(["up", "down"]),
  /** When a gateway last heard it (ISO), and the last failure (kept while it answers again only until it is up). */
  lastSeenAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  /** Users' sandboxes on it (leases). */
  sessions: z.number().int(),
  /** Warm sandboxes the answering gateway keeps on it. */
  warm: z.number().int(),
  /** Whether it is reached with TLS (the key itself is never sent). */
  tls: z.boolean(),
});
export type EngineRow = z.infer<typeof engineRow>;

/** GET /internal/engines. */
export const engineList = z.object({ engines: z.array(engineRow) });
export type EngineList = z.infer<typeof engineList>;
