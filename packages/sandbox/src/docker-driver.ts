import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import {
  type CreateSessionEvent,
  type DockyardError,
  dockyardError,
  err,
  type ImageInfo,
  ok,
  type Result,
  type RunScriptResult,
  type SessionState,
} from "@dockyard/protocol";
import Docker from "dockerode";
import { type BackgroundRun, startBackground } from "./background-script.ts";
import { boundedAll } from "./bounded-all.ts";
import { emptyHostStats, hostStatsOf, type RawContainerStats } from "./container-stats.ts";
import { fromDockerError } from "./docker-errors.ts";
import { bridgeName } from "./firewall.ts";
import type { RegistryMirror } from "./registry-mirror.ts";
import {
  type HostStats,
  LABEL,
  type SandboxDriver,
  type ScriptRun,
  type SessionSpec,
  type SessionSummary,
  type TerminalOptions,
  type TerminalStream,
} from "./sandbox-driver.ts";
import { sshPoolOf } from "./ssh-pools.ts";
import { SubnetPool } from "./subnet-pool.ts";
import { type ArchiveFile, tarArchive } from "./tar-archive.ts";

export interface SandboxLimits {
  /** Bytes of memory per host (swap included). */
  memoryBytes: number;
  /** CPUs per host, fractional allowed. */
  cpus: number;
  /** Most processes per host: a fork bomb stops here. */
  pids: number;
  /**
   * Bytes a host may write to its own filesystem. Enforced by the engine where it can (overlay2 on xfs with pquota);
   * elsewhere the gateway watches each sandbox's writable layer and stops one that goes past it.
   */
  diskBytes: number;
}

export interface DockerDriverOptions {
  docker?: Docker;
  limits?: Partial<SandboxLimits>;
  /** Written to every resource's dockyard.instance label. */
  instance?: string;
  /** Written to every resource's dockyard.gateway label: the gateway process that made it. */
  gateway?: string;
  /**
   * The engine's registered name, written to every resource's dockyard.engine label; listings leave out what is
   * labelled with another engine's (unlabelled ones, from before, are listed). The fleet sets it too (`setEngine`).
   */
  engine?: string;
  /** The range session networks get their subnets from (a /27 each); default 10.213.0.0/16. */
  subnets?: string;
  /** How long one round of live figures (sessionStats) may take before hosts that have not answered are left out. */
  statsDeadlineMs?: number;
  /**
   * Stats requests in flight at once in that round (default 64). Docker 20.10 answers a one-shot request at its stats
   * collector's next pass (one a second): each batch costs up to a second, so small batches miss the deadline.
   */
  statsConcurrency?: number;
  /**
   * The registry mirror the nested engines of `docker` hosts pull through: put on each such session's network (as
   * `registry-mirror`). Without one, or when it cannot start, those engines pull from the internet.
   */
  mirror?: RegistryMirror;
}

const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 1024 * 1024 * 1024,
  cpus: 1,
  pids: 512,
  diskBytes: 4 * 1024 * 1024 * 1024,
};

/**
 * A host that runs its own Docker engine (the `docker` environment). Not `--privileged` (the host kernel may
 * withhold a capability, and privileged opens every device): every capability but those for the host's kernel,
 * clock, raw I/O, syslog and MAC policy; no seccomp or AppArmor profile; /proc and /sys keep Docker's masks and
 * read-only parts (no core_pattern, no sysrq). The inner engine needs the host's cgroup tree writable, and on a
 * cgroup v1 host that is a way out for root inside (release_agent). No host namespaces and no Docker socket; the
 * inner engine's data is on a volume (the image's). Admins opt in, knowing that (README).
 */
const DOCKER_HOST_CONFIG = (limits: SandboxLimits): Docker.HostConfig => ({
  CapAdd: ["ALL"],
  CapDrop: ["SYS_RESOURCE", "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT", "SYS_TIME", "MAC_ADMIN", "MAC_OVERRIDE", "SYSLOG"],
  SecurityOpt: ["no-new-privileges", "seccomp=unconfined", "apparmor=unconfined"],
  Binds: ["/sys/fs/cgroup:/sys/fs/cgroup:rw"],
  // Containers in containers: more processes and memory than a plain host.
  PidsLimit: limits.pids * 4,
  Memory: limits.memoryBytes * 2,
  MemorySwap: limits.memoryBytes * 2,
});

/** Root inside a sandbox needs these to install packages and manage files; everything else is dropped. */
const CAPABILITIES = [
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "SETGID",
  "SETUID",
  "SETPCAP",
  "NET_BIND_SERVICE",
  "NET_RAW",
  "SYS_CHROOT",
  "AUDIT_WRITE",
];

const OUTPUT_LIMIT = 64 * 1024;

/** Set by docker/build-images.sh on what it builds: the content hash of the build context. */
const IMAGE_HASH_LABEL = "dockyard.image-hash";

/**
 * Which daemon answers: its ID, and its data root. Before Docker 23 the ID comes from the machine's
 * /etc/docker/key.json, so every daemon on one machine has the same one; the data root tells those apart.
 */
const daemonIdentity = (info: { ID?: string; DockerRootDir?: string }): string | undefined =>
  info.ID ? `${info.ID}@${info.DockerRootDir ?? ""}` : undefined;

export const networkName = (sessionId: string) => `dockyard-${sessionId}`;
export const containerName = (sessionId: string, host: string) => `dockyard-${sessionId}-${host}`;

/** The SandboxDriver on a Docker engine: one bridge network per session, one container per host. */
export class DockerDriver implements SandboxDriver {
  readonly docker: Docker;
  readonly limits: SandboxLimits;
  readonly instance: string;
  readonly gateway: string | undefined;
  /** The engine name this driver serves (its dockyard.engine label). */
  engine: string | undefined;
  /** The daemon ID the database has for this engine: an answer from another daemon is no answer. */
  private expectedDaemon: string | null = null;
  /** The daemon this connection reaches, learned on the first answer and again after a failure. */
  private daemon: string | undefined;
  /** Set while this connection reaches a daemon other than the one registered: why it is not used. */
  mismatch: string | undefined;

  constructor(options: DockerDriverOptions = {}) {
    this.docker = options.docker ?? new Docker();
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.instance = options.instance ?? "default";
    this.gateway = options.gateway;
    this.engine = options.engine;
    this.subnets = new SubnetPool(options.subnets ?? "10.213.0.0/16");
    this.statsDeadlineMs = options.statsDeadlineMs ?? 5000;
    this.statsConcurrency = options.statsConcurrency ?? 64;
    this.mirror = options.mirror;
  }

  readonly mirror: RegistryMirror | undefined;

  private readonly statsDeadlineMs: number;
  private readonly statsConcurrency: number;

  private readonly subnets: SubnetPool;
  private subnetsKnown: Promise<void> | undefined;

  /** Every subnet the engine uses (any network, Dockyard's or not) is off limits to new sessions. */
  private learnSubnets(refresh = false): Promise<void> {
    if (!this.subnetsKnown || refresh) {
      this.subnetsKnown = this.docker.listNetworks().then(
        (networks) => this.subnets.markUsed(networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? ""))),
        (error: unknown) => {
          this.subnetsKnown = undefined;
          throw error;
        },
      );
    }
    return this.subnetsKnown;
  }

  /** Whether the engine can cap a container's writable layer (StorageOpt size); learnt from the first try. */
  private diskQuota: boolean | undefined;

  /** Creates a container, with the disk cap where the engine supports one. */
  private async createContainer(options: Docker.ContainerCreateOptions): Promise<Docker.Container> {
    if (this.diskQuota !== false) {
      try {
        const container = await this.docker.createContainer({
          ...options,
          HostConfig: { ...options.HostConfig, StorageOpt: { size: String(this.limits.diskBytes) } },
        });
        this.diskQuota = true;
        return container;
      } catch (error) {
        if (!/storage-?opt|pquota|quota|backingfs/i.test(String((error as Error).message))) throw error;
        // overlay2 without xfs project quotas: the gateway's disk watch takes over.
        this.diskQuota = false;
      }
    }
    return this.docker.createContainer(options);
  }

  /** Bytes each session's hosts have written to their own filesystems (writable layers), by session. */
  async diskUsage(): Promise<Result<Map<string, number>>> {
    try {
      const containers = await this.docker.listContainers({
        all: true,
        size: true,
        filters: { label: this.labels(LABEL.session) },
      });
      const usage = new Map<string, number>();
      for (const c of containers) {
        const id = c.Labels[LABEL.session];
        const written = (c as { SizeRw?: number }).SizeRw ?? 0;
        if (id) usage.set(id, (usage.get(id) ?? 0) + written);
      }
      return ok(usage);
    } catch (error) {
      return err(fromDockerError(error, "measuring disk use"));
    }
  }

  /** Live figures of every host of this installation's sessions, by session; hosts that do not run have zeros. */
  async sessionStats(): Promise<Result<Map<string, HostStats[]>>> {
    let containers: Docker.ContainerInfo[];
    try {
      containers = await this.docker.listContainers({
        all: true,
        filters: { label: this.labels(`${LABEL.managed}=true`, LABEL.session) },
      });
    } catch (error) {
      return err(fromDockerError(error, "listing containers for their figures"));
    }
    const running = containers.filter((c) => c.State === "running");
    // One-shot (API 1.41+): one sample, no second one a second later to compare with. Older engines ignore it and
    // take about two seconds a container, which the deadline bounds.
    const figures = await boundedAll(
      running,
      (c, signal) =>
        this.docker
          .getContainer(c.Id)
          .stats({ stream: false, "one-shot": true, abortSignal: signal } as { stream: false; "one-shot": boolean })
          .then((raw) => raw as RawContainerStats),
      { limit: this.statsConcurrency, deadlineMs: this.statsDeadlineMs },
    );
    const byId = new Map(running.map((c, i) => [c.Id, figures[i]]));
    const sessions = new Map<string, HostStats[]>();
    for (const c of containers) {
      const sessionId = c.Labels[LABEL.session];
      if (!sessionId) continue;
      const host = c.Labels[LABEL.host] ?? "host01";
      const outcome = byId.get(c.Id);
      const stats =
        outcome?.status === "done"
          ? hostStatsOf(host, c.State, outcome.value)
          : emptyHostStats(
              host,
              c.State,
              outcome?.status === "timeout"
                ? `The engine gave no figures within ${this.statsDeadlineMs} ms.`
                : outcome?.status === "failed"
                  ? fromDockerError(outcome.error, `reading the figures of ${host}`).message
                  : undefined,
            );
      sessions.set(sessionId, [...(sessions.get(sessionId) ?? []), stats]);
    }
    for (const hosts of sessions.values()) hosts.sort((a, b) => a.host.localeCompare(b.host));
    return ok(sessions);
  }

  /** The disk cap, and whether the engine enforces it (else the gateway's watch does). */
  diskLimit(): { bytes: number; enforcedByEngine: boolean | undefined } {
    return { bytes: this.limits.diskBytes, enforcedByEngine: this.diskQuota };
  }

  /** Creates the session network on a free subnet of the pool, stepping over subnets others took meanwhile. */
  private async createNetwork(options: Docker.NetworkCreateOptions): Promise<void> {
    await this.learnSubnets();
    for (let attempt = 0; attempt < 8; attempt++) {
      const subnet = this.subnets.take();
      if (!subnet) throw Object.assign(new Error("no free subnet left for session networks"), { statusCode: 503 });
      try {
        await this.docker.createNetwork({ ...options, IPAM: { Driver: "default", Config: [{ Subnet: subnet }] } });
        return;
      } catch (error) {
        if (!/overlap/i.test(String((error as Error).message))) {
          this.subnets.release(subnet);
          throw error;
        }
        // Taken outside Dockyard since we looked: keep it marked, look again, try the next.
        await this.learnSubnets(true);
      }
    }
    throw new Error("no free subnet found for the session network");
  }

  /** Names the engine this driver serves and the daemon the database says it is (null: not known yet). */
  setEngine(engine: { name: string; daemonId?: string | null }): void {
    this.engine = engine.name;
    if ((engine.daemonId ?? null) !== this.expectedDaemon) this.mismatch = undefined;
    this.expectedDaemon = engine.daemonId ?? null;
  }

  /**
   * The engine's version and its daemon's ID; with `timeoutMs`, an engine that has not answered by then counts as not
   * answering. A daemon other than the one registered for this engine (another machine's socket at the same path)
   * counts as not answering, and `mismatch` says why.
   */
  async ping(timeoutMs?: number): Promise<Result<{ version: string; daemonId?: string }>> {
    try {
      // dockerode takes an abort signal here too; its types do not say so.
      const docker = this.docker as unknown as {
        version(o: { abortSignal?: AbortSignal }): Promise<Docker.DockerVersion>;
        info(o: { abortSignal?: AbortSignal }): Promise<{ ID?: string; DockerRootDir?: string }>;
      };
      const signal = () => (timeoutMs ? { abortSignal: AbortSignal.timeout(timeoutMs) } : {});
      const version = await docker.version(signal());
      // Asked once per connection (and after a failure): a daemon's ID does not change while it answers.
      this.daemon ??= daemonIdentity(await docker.info(signal()));
      if (this.expectedDaemon && this.daemon && this.daemon !== this.expectedDaemon) {
        this.mismatch = `engine ${this.engine ?? "?"} is registered as Docker daemon ${this.expectedDaemon}, but this gateway reaches daemon ${this.daemon} there`;
        return err(dockyardError("DOCKER_UNAVAILABLE", `Not the registered Docker daemon: ${this.mismatch}.`));
      }
      this.mismatch = undefined;
      return ok({ version: version.Version, ...(this.daemon ? { daemonId: this.daemon } : {}) });
    } catch (error) {
      this.daemon = undefined;
      if ((error as Error).name === "TimeoutError" || (error as Error).name === "AbortError") {
        return err(dockyardError("DOCKER_UNAVAILABLE", `The Docker engine gave no answer within ${timeoutMs} ms.`));
      }
      return err(fromDockerError(error, "asking for its version"));
    }
  }

  async inspectImages(names: string[]): Promise<Result<ImageInfo[]>> {
    const asked = [...new Set(names)];
    const found = await Promise.all(
      asked.map(async (name): Promise<Result<ImageInfo>> => {
        try {
          const image = await this.docker.getImage(name).inspect();
          const hash = image.Config?.Labels?.[IMAGE_HASH_LABEL];
          const created = new Date(image.Created);
          return ok({
            name,
            present: true,
            id: image.Id,
            sizeBytes: image.Size,
            ...(Number.isNaN(created.getTime()) ? {} : { createdAt: created.toISOString() }),
            ...(hash ? { hash } : {}),
          });
        } catch (error) {
          // The engine refuses a reference it cannot parse with 400: the caller's mistake, not the sandbox's.
          if ((error as { statusCode?: number }).statusCode === 400) {
            return err(dockyardError("BAD_REQUEST", `Bad image reference ${name}.`));
          }
          const e = fromDockerError(error, `looking for image ${name}`);
          return e.code === "NOT_FOUND" ? ok({ name, present: false }) : err(e);
        }
      }),
    );
    const failed = found.find((r) => !r.ok);
    if (failed) return failed;
    return ok(found.flatMap((r) => (r.ok ? [r.value] : [])));
  }

  async createSession(spec: SessionSpec, onEvent: (event: CreateSessionEvent) => void): Promise<Result<SessionState>> {
    const created = new Date().toISOString();
    const labels = {
      [LABEL.managed]: "true",
      [LABEL.instance]: this.instance,
      [LABEL.session]: spec.sessionId,
      [LABEL.user]: spec.userId,
      [LABEL.scenario]: spec.scenario,
      [LABEL.created]: created,
      ...(this.gateway ? { [LABEL.gateway]: this.gateway } : {}),
      ...(this.engine ? { [LABEL.engine]: this.engine } : {}),
    };
    const failed = async (error: DockyardError): Promise<Result<SessionState>> => {
      await this.removeSession(spec.sessionId);
      return err(error);
    };

    for (const host of spec.hosts) {
      const pool = sshPoolOf(host.image);
      if (pool !== undefined) {
        return err(
          dockyardError(
            "BAD_REQUEST",
            `${host.name} is a machine from the ssh pool ${pool}, and this gateway has no ssh pools (SANDBOX_SSH_POOLS_FILE).`,
          ),
        );
      }
      try {
        await this.docker.getImage(host.image).inspect();
      } catch (error) {
        const e = fromDockerError(error, `looking for image ${host.image}`);
        if (e.code !== "NOT_FOUND") return err(e);
        return err(
          dockyardError(
            "SANDBOX_FAILED",
            `The sandbox image ${host.image} is missing: build it with "npm run images".`,
          ),
        );
      }
    }

    onEvent({ type: "progress", phase: "network", message: "Creating the session network" });
    const network = networkName(spec.sessionId);
    try {
      await this.createNetwork({
        Name: network,
        Driver: "bridge",
        Labels: labels,
        CheckDuplicate: true,
        // A bridge name the host firewall knows (dy-…); an internal network has no way out but to the host.
        Options: { "com.docker.network.bridge.name": bridgeName(spec.sessionId) },
        Internal: spec.internet === false,
      });
    } catch (error) {
      return failed(fromDockerError(error, "creating the session network"));
    }

    // Nested engines find the mirror on their own network; it joins while the hosts are made.
    const mirrored =
      this.mirror && spec.hosts.some((h) => h.docker) ? this.mirror.connect(network) : Promise.resolve(undefined);

    // Hosts are made side by side: a two-host session takes about as long as a one-host one.
    const made = await Promise.all(
      spec.hosts.map(async (host): Promise<DockyardError | undefined> => {
        onEvent({ type: "progress", phase: "container", message: `Creating ${host.name}` });
        // An environment may give its hosts other limits than the driver's defaults.
        const limits: SandboxLimits = {
          ...this.limits,
          ...(host.limits?.memoryMb ? { memoryBytes: host.limits.memoryMb * 1024 * 1024 } : {}),
          ...(host.limits?.cpus ? { cpus: host.limits.cpus } : {}),
          ...(host.limits?.pids ? { pids: host.limits.pids } : {}),
        };
        try {
          const options: Docker.ContainerCreateOptions = {
            name: containerName(spec.sessionId, host.name),
            Hostname: host.name,
            Image: host.image,
            Labels: { ...labels, [LABEL.host]: host.name },
            Env: ["TERM=xterm-256color", `DOCKYARD_SESSION=${spec.sessionId}`, `DOCKYARD_HOST=${host.name}`],
            WorkingDir: host.workdir ?? "/root",
            HostConfig: {
              NetworkMode: network,
              CapDrop: ["ALL"],
              CapAdd: CAPABILITIES,
              SecurityOpt: ["no-new-privileges"],
              PidsLimit: limits.pids,
              Memory: limits.memoryBytes,
              MemorySwap: limits.memoryBytes,
              NanoCpus: Math.round(limits.cpus * 1e9),
              Ulimits: [{ Name: "nofile", Soft: 8192, Hard: 16384 }],
              RestartPolicy: { Name: "no" },
              LogConfig: { Type: "none", Config: {} },
              // IPv4 only: the host firewall's rules are IPv4's, and link-local IPv6 would go around them.
              Sysctls: { "net.ipv6.conf.all.disable_ipv6": "1", "net.ipv6.conf.default.disable_ipv6": "1" },
              ...(host.docker ? DOCKER_HOST_CONFIG(limits) : {}),
            },
            NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [host.name] } } },
          };
          const container = await this.createContainer(options);
          onEvent({ type: "progress", phase: "starting", message: `Starting ${host.name}` });
          await container.start();
          return undefined;
        } catch (error) {
          return fromDockerError(error, `starting ${host.name}`);
        }
      }),
    );
    const problem = made.find((e) => e !== undefined);
    if (problem) return failed(problem);
    const mirror = await mirrored;
    if (mirror && !mirror.ok) {
      onEvent({
        type: "progress",
        phase: "starting",
        message: `No registry mirror (${mirror.error.message}): Docker images come from the internet`,
      });
    }

    const state = await this.inspectSession(spec.sessionId);
    if (!state.ok) return failed(state.error);
    const down = state.value.hosts.filter((h) => !h.running);
    if (down.length > 0) {
      return failed(dockyardError("SANDBOX_FAILED", `${down.map((h) => h.name).join(", ")} stopped right after start`));
    }
    onEvent({ type: "progress", phase: "ready", message: "Sandbox ready" });
    return state;
  }

  /** Label filters that find this installation's resources (optionally of one session). */
  private labels(...more: string[]): string[] {
    return [`${LABEL.instance}=${this.instance}`, ...more];
  }

  private async sessionContainers(sessionId: string) {
    return this.docker.listContainers({ all: true, filters: { label: this.labels(`${LABEL.session}=${sessionId}`) } });
  }

  async inspectSession(sessionId: string): Promise<Result<SessionState>> {
    try {
      const containers = await this.sessionContainers(sessionId);
      if (containers.length === 0) return err(dockyardError("NOT_FOUND", `No sandbox for session ${sessionId}.`));
      const hosts = containers
        .map((c) => {
          const ip = Object.values(c.NetworkSettings?.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
          return { name: c.Labels[LABEL.host] ?? "host01", running: c.State === "running", ...(ip ? { ip } : {}) };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      return ok({ sessionId, userId: containers[0]?.Labels[LABEL.user] ?? "", hosts });
    } catch (error) {
      return err(fromDockerError(error, "listing the session's containers"));
    }
  }

  async removeSession(sessionId: string): Promise<Result<{ containers: number; networks: number }>> {
    try {
      const containers = await this.sessionContainers(sessionId);
      await Promise.all(
        containers.map((c) =>
          this.docker
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch((error: unknown) => {
              if ((error as { statusCode?: number }).statusCode !== 404) throw error;
            }),
        ),
      );
      const networks = await this.docker.listNetworks({
        filters: { label: this.labels(`${LABEL.session}=${sessionId}`) },
      });
      await Promise.all(
        networks.map((n) =>
          this.removeNetwork(n.Id).then(
            () => {
              for (const c of n.IPAM?.Config ?? []) if (c.Subnet) this.subnets.release(c.Subnet);
            },
            (error: unknown) => {
              if ((error as { statusCode?: number }).statusCode !== 404) throw error;
            },
          ),
        ),
      );
      return ok({ containers: containers.length, networks: networks.length });
    } catch (error) {
      return err(fromDockerError(error, "removing the session"));
    }
  }

  /** Removes a network, first taking off whatever else is still on it (the registry mirror). */
  private async removeNetwork(id: string): Promise<void> {
    const network = this.docker.getNetwork(id);
    try {
      await network.remove();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 403) throw error;
      const info = (await network.inspect()) as { Containers?: Record<string, unknown> };
      await Promise.all(
        Object.keys(info.Containers ?? {}).map((container) =>
          network.disconnect({ Container: container, Force: true }).catch(() => undefined),
        ),
      );
      await network.remove();
    }
  }

  async listSessions() {
    try {
      const [containers, networks] = await Promise.all([
        this.docker.listContainers({ all: true, filters: { label: this.labels(LABEL.session) } }),
        this.docker.listNetworks({ filters: { label: this.labels(LABEL.session) } }),
      ]);
      const sessions = new Map<string, SessionSummary>();
      // A session's network carries the same labels; one left without containers is a start that broke half-way.
      for (const item of [...containers, ...networks]) {
        const labels: Record<string, string> = item.Labels ?? {};
        const sessionId = labels[LABEL.session];
        if (!sessionId) continue;
        // Made through another engine name (one daemon registered twice): that name's to reconcile, not this one's.
        const engine = labels[LABEL.engine];
        if (engine && this.engine && engine !== this.engine) continue;
        const entry = sessions.get(sessionId) ?? {
          sessionId,
          userId: labels[LABEL.user] ?? "",
          scenario: labels[LABEL.scenario] ?? "",
          created: labels[LABEL.created] ?? "",
          containers: 0,
          running: 0,
          ...(labels[LABEL.gateway] ? { gateway: labels[LABEL.gateway] } : {}),
        };
        if ("State" in item) {
          entry.containers += 1;
          if (item.State === "running") entry.running += 1;
        }
        sessions.set(sessionId, entry);
      }
      return ok([...sessions.values()]);
    } catch (error) {
      return err(fromDockerError(error, "listing sessions"));
    }
  }

  private async hostContainer(sessionId: string, host: string): Promise<Result<Docker.Container>> {
    try {
      const containers = await this.docker.listContainers({
        all: true,
        filters: { label: this.labels(`${LABEL.session}=${sessionId}`, `${LABEL.host}=${host}`) },
      });
      const found = containers[0];
      if (!found) return err(dockyardError("NOT_FOUND", `No host ${host} in session ${sessionId}.`));
      if (found.State !== "running") return err(dockyardError("CONFLICT", `Host ${host} is not running.`));
      return ok(this.docker.getContainer(found.Id));
    } catch (error) {
      return err(fromDockerError(error, `finding ${host}`));
    }
  }

  async runScript(run: ScriptRun): Promise<Result<RunScriptResult>> {
    const container = await this.hostContainer(run.sessionId, run.host);
    if (!container.ok) return container;
    const reasonFile = `/tmp/.dockyard-reason-${randomBytes(6).toString("hex")}`;
    const seconds = Math.max(1, Math.ceil(run.timeoutMs / 1000));
    const env = Object.entries({ ...run.env, VERIFICATION_FAILURE_REASON: reasonFile }).map(([k, v]) => `${k}=${v}`);
    const started = performance.now();
    try {
      // `timeout` inside the sandbox ends the script (and what it started) even if our connection drops. The
      // learner is root there and may break `timeout` itself, so the gateway keeps a deadline of its own too.
      const result = await this.exec(
        container.value,
        ["timeout", "-k", "2", String(seconds), "bash", "-c", run.script],
        env,
        run.timeoutMs + 5000,
      );
      const reason = await this.exec(
        container.value,
        ["sh", "-c", 'cat "$1" 2>/dev/null; rm -f "$1"', "sh", reasonFile],
        [],
        5000,
      );
      const timedOut =
        result.deadlineHit ||
        result.exitCode === 124 ||
        (result.exitCode === 137 && performance.now() - started >= run.timeoutMs);
      return ok({
        exitCode: result.exitCode,
        stdout: result.stdout,
        stderr: result.stderr,
        timedOut,
        failureReason: reason.stdout.trim() || undefined,
        durationMs: Math.round(performance.now() - started),
      });
    } catch (error) {
      return err(fromDockerError(error, `running a script on ${run.host}`));
    }
  }

  /** Runs a command to its end or `deadlineMs`, whichever comes first, and collects its output. */
  private async exec(container: Docker.Container, cmd: string[], env: string[], deadlineMs: number) {
    const exec = await container.exec({
      Cmd: cmd,
      Env: env,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const stdout = new Collector();
    const stderr = new Collector();
    this.docker.modem.demuxStream(stream, stdout.sink, stderr.sink);
    let deadlineHit = false;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        deadlineHit = true;
        stream.destroy();
        resolve();
      }, deadlineMs);
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", (error) => (deadlineHit ? resolve() : reject(error)));
    }).finally(() => clearTimeout(timer));
    const info = deadlineHit ? undefined : await exec.inspect();
    return { exitCode: info?.ExitCode ?? null, stdout: stdout.text(), stderr: stderr.text(), deadlineHit };
  }

  runBackground(run: BackgroundRun): Promise<Result<{ pid: number }>> {
    return startBackground((script) => this.runScript(script), run);
  }

  async putFiles(sessionId: string, host: string, files: ArchiveFile[]): Promise<Result<{ files: number }>> {
    const container = await this.hostContainer(sessionId, host);
    if (!container.ok) return container;
    try {
      await container.value.putArchive(tarArchive(files), { path: "/" });
      return ok({ files: files.length });
    } catch (error) {
      return err(fromDockerError(error, `copying files to ${host}`));
    }
  }

  async openTerminal(options: TerminalOptions): Promise<Result<TerminalStream>> {
    const container = await this.hostContainer(options.sessionId, options.host);
    if (!container.ok) return container;
    try {
      // The shell records its pid so that dispose can end it (and its children) inside the sandbox.
      const pidFile = `/run/dockyard-terminal-${randomBytes(6).toString("hex")}.pid`;
      // The shell records its pid (in $0) first; the rest of the script gets the terminal's name as $1.
      const shell = (script: string) => ["bash", "-c", `echo $$ > "$0"; ${script}`, pidFile, options.name ?? ""];
      const exec = await container.value.exec({
        // A named terminal lives in a tmux session of that name (when the image has tmux): attaching again gives the
        // same shell and screen. Hanging up the attached client leaves the session running. A watcher attaches to
        // an existing one without changing its size.
        Cmd: options.watch
          ? shell('exec tmux attach-session -f ignore-size -t "=$1"')
          : options.name
            ? shell('command -v tmux >/dev/null && exec tmux new-session -A -s "$1"; exec bash -l')
            : shell("exec bash -l"),
        Env: ["TERM=xterm-256color", "COLORTERM=truecolor", "LANG=C.UTF-8"],
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: true,
      });
      const stream = await exec.start({ hijack: true, stdin: true, Tty: true });
      await exec.resize({ h: options.rows, w: options.cols }).catch(() => undefined);
      const hangUp = () =>
        this.exec(
          container.value,
          ["sh", "-c", 'kill -HUP "$(cat "$1")" 2>/dev/null; rm -f "$1"', "sh", pidFile],
          [],
          5000,
        )
          .then(() => undefined)
          .catch(() => undefined);
      return ok(new DockerTerminal(exec, stream, hangUp));
    } catch (error) {
      return err(fromDockerError(error, `opening a terminal on ${options.host}`));
    }
  }
}

class Collector {
  private chunks: Buffer[] = [];
  private size = 0;
  readonly sink = new PassThrough();
  constructor() {
    this.sink.on("data", (chunk: Buffer) => {
      if (this.size >= OUTPUT_LIMIT) return;
      this.chunks.push(chunk);
      this.size += chunk.length;
    });
  }
  text(): string {
    return Buffer.concat(this.chunks).subarray(0, OUTPUT_LIMIT).toString("utf8");
  }
}

/** One TTY exec; owns its stream and ends it on dispose. */
class DockerTerminal implements TerminalStream {
  private exitListeners: ((code: number | null) => void)[] = [];
  private exited = false;
  /** Known once the ended exec has been inspected. */
  private exitCode: number | null | undefined;

  constructor(
    private readonly exec: Docker.Exec,
    private readonly stream: NodeJS.ReadWriteStream,
    private readonly hangUp: () => Promise<void>,
  ) {
    const finish = () => {
      if (this.exited) return;
      this.exited = true;
      this.exec
        .inspect()
        .then((info) => info.ExitCode ?? null)
        .catch(() => null)
        .then((code) => {
          this.exitCode = code;
          for (const listener of this.exitListeners) listener(code);
        });
    };
    stream.on("end", finish);
    stream.on("close", finish);
    stream.on("error", finish);
  }

  write(data: Uint8Array | string): void {
    if (!this.exited) this.stream.write(data);
  }

  async resize(cols: number, rows: number): Promise<void> {
    await this.exec.resize({ h: rows, w: cols });
  }

  onData(listener: (chunk: Buffer) => void): void {
    this.stream.on("data", listener);
  }

  pendingInput(): number {
    return (this.stream as unknown as { writableLength?: number }).writableLength ?? 0;
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }

  onExit(listener: (exitCode: number | null) => void): void {
    // A shell that ended before anyone listened still reports it.
    if (this.exitCode !== undefined) listener(this.exitCode);
    else this.exitListeners.push(listener);
  }

  dispose(): void {
    if (!this.exited) void this.hangUp();
    (this.stream as unknown as { destroy?: () => void }).destroy?.();
  }
}
