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
  /** Labels the engine it runs on must have (the environment's needs); hosts with `docker` also need `docker`. */
  engineLabels: z
    .array(z.string().regex(/^[a-z0-9][a-z0-9._-]{0,31}$/))
    .max(8)
    .optional(),
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

/** DELETE /internal/sessions/:id may carry a body (or none): why the sandbox is stopped. */
export const removeSessionRequest = z.object({
  /** A sentence for the user: their terminals get it in an `ended` frame, and their lab session records it. */
  reason: z.string().trim().min(1).max(200).optional(),
});
export type RemoveSessionRequest = z.input<typeof removeSessionRequest>;

export const removeSessionResult = z.object({ containers: z.number().int(), networks: z.number().int() });
export type RemoveSessionResult = z.infer<typeof removeSessionResult>;

/** One host of a sandbox in the admin's list, with its live figures. */
export const adminHostRow = z.object({
  name: hostName,
  /** The container's state: running, exited, paused, ... (hosts not running have zero figures). */
  state: z.string(),
  /** Percent of one core, averaged since the gateway's previous sample of this host; 0 on the first sample. */
  cpuPercent: z.number().min(0),
  /** Memory in use without the reclaimable file cache, as `docker stats` counts it. */
  memoryBytes: z.number().min(0),
  memoryLimitBytes: z.number().min(0),
  pids: z.number().min(0),
  /** Bytes received and sent since the host started, over all its interfaces. */
  netRxBytes: z.number().min(0),
  netTxBytes: z.number().min(0),
  /** Set when the engine gave no figures for a running host in time: they read 0 but are not known. */
  statsError: z.string().optional(),
});
export type AdminHostRow = z.infer<typeof adminHostRow>;

/** One user's live sandbox in the admin's list (warm-pool sandboxes nobody owns yet are not listed). */
export const adminSessionRow = z.object({
  sessionId,
  /** Its owner: the lease's user (a sandbox from the warm pool is labelled for the pool). */
  userId: z.string(),
  /** The scenario's slug. */
  scenario: z.string(),
  /** The Docker engine that runs it (with one unregistered engine, the installation's name). */
  engine: z.string(),
  /** When it was made, or handed over from the warm pool (ISO). */
  createdAt: z.string(),
  /** Its lease: when it goes, and the furthest extensions can take it (ISO); null while it has none (starting). */
  expiresAt: z.string().nullable(),
  maxExpiresAt: z.string().nullable(),
  hosts: z.array(adminHostRow),
});
export type AdminSessionRow = z.infer<typeof adminSessionRow>;

/** GET /internal/sessions: every user's live sandbox, with live figures taken at `sampledAt` (ISO). */
export const adminSessionList = z.object({ sessions: z.array(adminSessionRow), sampledAt: z.string() });
export type AdminSessionList = z.infer<typeof adminSessionList>;

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

/**
 * Warm sandboxes an event needs (the web app's reservations): `size` more of this kind kept ready, on top of the
 * gateway's own default pool. The PUT carries the whole set; a kind no longer listed shrinks back to the default.
 */
export const poolReservation = z.object({
  name: z.string().min(1).max(200),
  hosts: createSessionRequest.shape.hosts,
  internet: z.boolean().optional(),
  size: z.number().int().min(0).max(100),
});
export type PoolReservation = z.infer<typeof poolReservation>;

export const poolReservationsRequest = z.object({ reservations: z.array(poolReservation).max(500) });

/** Each warm pool: its kind (host name and image per host), how many it keeps ready, how many are ready now. */
export const poolStatus = z.object({
  pools: z.array(
    z.object({
      hosts: z.array(z.object({ name: z.string(), image: z.string() })),
      internet: z.boolean(),
      target: z.number().int(),
      reserved: z.number().int(),
      ready: z.number().int(),
      /** The reservations that asked for it (an event's code and scenario). */
      reservations: z.array(z.string()),
    }),
  ),
});
export type PoolStatus = z.infer<typeof poolStatus>;

/**
 * An image reference as Docker reads it: `[registry[:port]/]path[:tag][@digest]`, all lower-case but the tag (the
 * engine refuses upper-case repository names), at most 256 characters.
 */
export const imageReference = z
  .string()
  .max(256)
  .regex(
    /^(?:[a-z0-9.-]+(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,})?$/,
    "image reference: [registry/]name[:tag][@digest]",
  );

/** The most names one GET /internal/images may ask about. */
export const MAX_IMAGE_NAMES = 50;

/** GET /internal/images?name=a&name=b: the `name` parameters. */
export const imageInfoQuery = z.array(imageReference).max(MAX_IMAGE_NAMES);

/** One image as the sandbox engine has it; only `name` and `present` when it is missing. */
export const imageInfo = z.object({
  /** The reference asked about. */
  name: z.string(),
  present: z.boolean(),
  /** The engine's id of the image (sha256:…). */
  id: z.string().optional(),
  sizeBytes: z.number().int().min(0).optional(),
  /** When it was built (ISO). */
  createdAt: z.string().optional(),
  /** Its `dockyard.image-hash` label: the content hash of the build context `docker/build-images.sh` built it from. */
  hash: z.string().optional(),
});
export type ImageInfo = z.infer<typeof imageInfo>;

/** GET /internal/images answers with one entry per name asked, in the order asked (repeats once). */
export const imageInfoList = z.object({ images: z.array(imageInfo) });
export type ImageInfoList = z.infer<typeof imageInfoList>;

/** POST /internal/images/build: runs `docker/build-images.sh`; `rebuild` builds even the images that are up to date. */
export const buildImagesRequest = z.object({ rebuild: z.boolean().default(false) });

/** POST /internal/images/preload: builds course images and puts them into the registry mirror (`dockyard images preload`). */
export const preloadImagesRequest = z.object({ images: z.array(imageReference).min(1).max(MAX_IMAGE_NAMES) });
export type PreloadImagesRequest = z.infer<typeof preloadImagesRequest>;

/** GET /internal/mirror?name=…: whether the registry mirror runs, and which of the named images it holds. */
export const mirrorImages = z.object({
  /** The mirror's address on this machine; null when it does not run (it starts with the first Docker sandbox). */
  url: z.string().nullable(),
  images: z.array(z.object({ name: z.string(), held: z.boolean() })),
});
export type MirrorImages = z.infer<typeof mirrorImages>;
export type BuildImagesRequest = z.input<typeof buildImagesRequest>;

/** How a build ended: `exitCode` is the script's, null when it was killed (the gateway stopping) or never ran. */
export const buildImagesResult = z.object({
  ok: z.boolean(),
  exitCode: z.number().int().nullable(),
  seconds: z.number().min(0),
});
export type BuildImagesResult = z.infer<typeof buildImagesResult>;

/** The longest output line a build reports; longer ones are cut. */
export const MAX_BUILD_LINE = 2000;

/**
 * POST /internal/images/build answers with newline-delimited JSON: `started`, a `line` per line of output (stdout
 * and stderr, the script's `[images] ` prefix taken off), then `done`.
 */
/** What `dockyard test --report` writes: each scenario's steps, passed or not and why. */
export const scenarioTestReport = z.object({
  scenarios: z.array(
    z.object({
      path: z.string(),
      slug: z.string(),
      ok: z.boolean(),
      message: z.string().optional(),
      steps: z.array(
        z.object({
          index: z.number().int(),
          title: z.string(),
          ok: z.boolean(),
          message: z.string(),
          durationMs: z.number(),
        }),
      ),
      durationMs: z.number(),
    }),
  ),
  failedScenarios: z.number().int(),
  failedSteps: z.number().int(),
});
export type ScenarioTestReport = z.infer<typeof scenarioTestReport>;

export const buildImagesEvent = z.discriminatedUnion("type", [
  /** `at`: when the build started (ISO). */
  z.object({ type: z.literal("started"), at: z.string() }),
  z.object({ type: z.literal("line"), line: z.string().max(MAX_BUILD_LINE) }),
  /** A scenario test's `done` carries its report (when the test got far enough to write one). */
  buildImagesResult.extend({ type: z.literal("done"), report: scenarioTestReport.optional() }),
]);
export type BuildImagesEvent = z.infer<typeof buildImagesEvent>;

/** How many of a build's last lines GET /internal/images/build keeps. */
export const BUILD_STATUS_LINES = 200;

/** GET /internal/images/build: the running build, or the last one, so a reloaded page can catch up. */
export const buildImagesStatus = z.object({
  running: z.boolean(),
  /** When the running (or last) build started (ISO). */
  startedAt: z.string().optional(),
  /** The last lines of the running (or last) build's output. */
  lines: z.array(z.string()).max(BUILD_STATUS_LINES),
  /** The last finished build's end; `finishedAt` ISO. */
  lastResult: buildImagesResult.extend({ finishedAt: z.string() }).optional(),
});
export type BuildImagesStatus = z.infer<typeof buildImagesStatus>;

/** GET /internal/settings: the gateway's configuration as the admin sees it (set in the gateway's environment). */
export const gatewaySettings = z.object({
  limits: z.object({
    /** Sandboxes alive at once, in all. */
    maxSessions: z.number().int(),
    /** Sandboxes one user may have at once. */
    maxPerUser: z.number().int(),
    /** Sandboxes being created at the same moment. */
    maxStarting: z.number().int(),
  }),
  /** A sandbox's first lease (and what an extension adds), the longest it may reach, and idle time before removal. */
  lifetime: z.object({
    ttlSeconds: z.number().int(),
    maxTtlSeconds: z.number().int(),
    idleSeconds: z.number().int(),
  }),
  /** Sandboxes kept warm per kind (events' reservations come on top). */
  pool: z.object({ size: z.number().int(), reservedMax: z.number().int() }),
  /** May sandboxes reach the internet at all? */
  internet: z.boolean(),
  /** May hosts run their own Docker engine (the `docker` environment)? */
  allowDocker: z.boolean(),
  /** The host firewall that isolates sandboxes: in place, turned off by the admin, or wanted but failed (no starts). */
  firewall: z.enum(["on", "off", "failed"]),
  /** Disk a sandbox host may fill, in MiB. */
  diskMb: z.number().int(),
});
export type GatewaySettings = z.infer<typeof gatewaySettings>;

/** POST /internal/scenario-tests: runs `dockyard test` on one scenario folder (the web app knows where it is). */
export const scenarioTestRequest = z.object({ dir: z.string().min(1).max(4096).startsWith("/") });

/** GET /internal/scenario-tests: the running test (its folder and last lines) and each folder's last result. */
export const scenarioTestStatus = z.object({
  running: z.string().nullable(),
  lines: z.array(z.string()).max(BUILD_STATUS_LINES),
  results: z.array(
    buildImagesResult.extend({ dir: z.string(), finishedAt: z.string(), report: scenarioTestReport.optional() }),
  ),
});
export type ScenarioTestStatus = z.infer<typeof scenarioTestStatus>;
