import { z } from "zod";
import { errorCodeList } from "./error-codes.ts";

/**
 * The gateway's internal HTTP API, called by the web app only (bearer secret). Request and response bodies are
 * parsed with these schemas on both sides.
 */

/** Session ids and host names appear in Docker names and labels: keep them to a safe alphabet. */
export const sessionId = z.string().regex(/^[a-z0-9][a-z0-9-]{5,62}$/, "session id: 6-63 of a-z, 0-9, -");
export const hostName = z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "host name: a-z, 0-9, -");
export const scenarioSlug = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "scenario slug");

/** Scripts and file contents travel as one argument or environment string, which Linux caps at 128 KiB. */
export const MAX_SCRIPT_BYTES = 100 * 1024;

/** Names a background script's log file: /var/log/killercoda/<name>.log. */
export const backgroundName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/);

/** Bounds keep an environment file from asking for a whole machine. */
export const hostLimits = z.object({
  memoryMb: z
    .number()
    .int()
    .min(64)
    .max(64 * 1024)
    .optional(),
  cpus: z.number().min(0.1).max(64).optional(),
  pids: z.number().int().min(32).max(65536).optional(),
});

export const createSessionRequest = z.object({
  sessionId,
  userId: z.string().min(1).max(128),
  scenario: scenarioSlug,
  /** The hosts of the session, host01 first; each runs one container of the given image. */
  hosts: z
    .array(
      z.object({
        name: hostName,
        image: z.string().min(1).max(256),
        /** Where terminals and scripts start (made if missing); /root when absent. */
        workdir: z
          .string()
          .regex(/^\/[A-Za-z0-9._/-]*$/)
          .max(256)
          .optional(),
        /** The host runs its own Docker engine (the gateway refuses unless its admin allowed that). */
        docker: z.boolean().optional(),
        /** Limits for this host instead of the gateway's defaults (an environment's choice). */
        limits: hostLimits.optional(),
      }),
    )
    .min(1)
    .max(8),
  /** Whether the session may reach the internet (the environment's wish; the admin's setting has the last word). */
  internet: z.boolean().optional(),
});
export type CreateSessionRequest = z.infer<typeof createSessionRequest>;

/** Start's steps as the page shows them: the gateway's (network to starting), then the web app's (files, setup). */
export const sessionPhase = z.enum(["queued", "network", "container", "starting", "files", "setup", "ready"]);
export type SessionPhase = z.infer<typeof sessionPhase>;

/** POST /internal/sessions answers with newline-delimited JSON events, so the page can show progress. */
export const createSessionEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), phase: sessionPhase, message: z.string() }),
  z.object({
    type: z.literal("ready"),
    hosts: z.array(hostName),
    /** The session's id when it differs from the one asked for (a sandbox from the warm pool keeps its own). */
    sessionId: sessionId.optional(),
  }),
  z.object({ type: z.literal("error"), code: z.enum(errorCodeList), message: z.string() }),
]);
export type CreateSessionEvent = z.infer<typeof createSessionEvent>;

export const runScriptRequest = z.object({
  host: hostName.default("host01"),
  script: z.string().max(MAX_SCRIPT_BYTES),
  /** Killed after this long; the result says so. */
  timeoutMs: z
    .number()
    .int()
    .min(100)
    .max(10 * 60_000)
    .default(30_000),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
});
export type RunScriptRequest = z.input<typeof runScriptRequest>;

/** POST /internal/sessions/:id/background: starts a script detached; its output goes to /var/log/killercoda/<name>.log. */
export const backgroundScriptRequest = z.object({
  host: hostName.default("host01"),
  /** Names the log file. */
  name: backgroundName,
  script: z.string().max(MAX_SCRIPT_BYTES),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({}),
});
export type BackgroundScriptRequest = z.input<typeof backgroundScriptRequest>;

/** PUT /internal/sessions/:id/files: files (absolute paths) written into a host, parents made as needed. */
export const putFilesRequest = z.object({
  host: hostName.default("host01"),
  files: z
    .array(
      z.object({
        path: z
          .string()
          .regex(/^\/[^\0]*$/)
          .max(1024)
          .refine((p) => !p.split("/").includes(".."), "no .. in paths"),
        contentBase64: z.string().max(16 * 1024 * 1024),
        mode: z.number().int().min(0).max(0o7777).optional(),
      }),
    )
    .max(1000),
});
export type PutFilesRequest = z.input<typeof putFilesRequest>;

export const runScriptResult = z.object({
  exitCode: z.number().int().nullable(),
  stdout: z.string(),
  stderr: z.string(),
  timedOut: z.boolean(),
  /** What the script wrote to the file named by $VERIFICATION_FAILURE_REASON, if anything. */
  failureReason: z.string().optional(),
  durationMs: z.number(),
});
export type RunScriptResult = z.infer<typeof runScriptResult>;

export const sessionState = z.object({
  sessionId,
  /** The user the session belongs to (its dockyard.user label). */
  userId: z.string(),
  hosts: z.array(
    z.object({
      name: hostName,
      running: z.boolean(),
      /** The host's address on the session's network (what [[HOST_IP]] means). */
      ip: z.string().optional(),
    }),
  ),
});
export type SessionState = z.infer<typeof sessionState>;

/** How long a session may live: until `expiresAt`, extensible up to `maxExpiresAt` (ISO times). */
export const sessionLease = z.object({
  expiresAt: z.string(),
  maxExpiresAt: z.string(),
  /** Set while no terminal is attached: when the sandbox goes for being idle, unless something happens. */
  idleRemovalAt: z.string().optional(),
});
export type SessionLease = z.infer<typeof sessionLease>;

/** What the control API says of a session: its hosts, and its lease when the gateway keeps one. */
export const sessionInfo = sessionState.extend({ lease: sessionLease.optional() });
export type SessionInfo = z.infer<typeof sessionInfo>;

export const removeSessionResult = z.object({ containers: z.number().int(), networks: z.number().int() });
export type RemoveSessionResult = z.infer<typeof removeSessionResult>;

export const errorBody = z.object({
  error: z.object({
    code: z.enum(errorCodeList),
    message: z.string(),
    retryAfterSeconds: z.number().int().min(0).optional(),
  }),
});

export const gatewayHealth = z.object({
  ok: z.boolean(),
  docker: z.object({ ok: z.boolean(), version: z.string().optional(), error: z.string().optional() }),
  /** The host firewall that keeps sandboxes from the host and blocked networks. */
  isolation: z.object({ ok: z.boolean(), error: z.string().optional() }).optional(),
  /** The gateway is still taking stock of its sandboxes (boot). */
  starting: z.boolean().optional(),
});
export type GatewayHealth = z.infer<typeof gatewayHealth>;

/**
 * POST /api/scenarios/:slug/session on the web app streams these to the browser: the session's id first, then the
 * gateway's progress events.
 */
export const labStartEvent = z.union([z.object({ type: z.literal("session"), sessionId }), createSessionEvent]);
export type LabStartEvent = z.infer<typeof labStartEvent>;
