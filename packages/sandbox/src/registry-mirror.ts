import { type DockyardError, dockyardError, err, ok, type Result } from "@dockyard/protocol";
import type Docker from "dockerode";
import { fromDockerError } from "./docker-errors.ts";

/** The name every nested Docker engine knows the mirror by, on its session's network (see docker/sandbox-docker). */
export const MIRROR_ALIAS = "registry-mirror";
export const MIRROR_PORT = 5000;
/** On the registry's container, its volume and its own network: one mirror per Docker engine, shared by instances. */
export const REGISTRY_LABEL = "dockyard.registry";

export interface RegistryMirrorOptions {
  docker: Docker;
  /** Default dockyard/registry:latest (docker/registry). */
  image?: string;
  /** The container's name, its volume's and its network's. Default dockyard-registry. */
  name?: string;
  /**
   * A registry it caches pulls from (a pull-through cache), say https://registry-1.docker.io; unset or `off`: it
   * serves the preloaded images only. What it holds is served when the upstream does not answer.
   */
  upstream?: string;
}

/** How the mirror's container is reached from this machine, once it runs. */
export interface MirrorEndpoint {
  containerId: string;
  /** Its address on its own network, which the machine reaches directly (a Docker bridge). */
  ip: string;
  url: string;
}

/** A Docker reference as a registry names it: `redis:7.0` is `library/redis` tag `7.0`. */
export function registryPath(reference: string): { repository: string; tag: string } {
  const at = reference.lastIndexOf(":");
  const slash = reference.lastIndexOf("/");
  const [name, tag] = at > slash ? [reference.slice(0, at), reference.slice(at + 1)] : [reference, "latest"];
  const bare = name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "");
  return { repository: bare.includes("/") ? bare : `library/${bare}`, tag };
}

const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
].join(", ");

/**
 * The registry mirror beside the sandboxes (Debian's docker-registry in a container): every nested Docker engine
 * pulls through it, so a course's images come from this machine, preloaded, and work with no internet at all.
 * Sandboxes reach it on their own session network (it is connected to each that has a Docker host), never the
 * reverse: it serves read-only, and it does not route between the networks it is on.
 */
export class RegistryMirror {
  readonly docker: Docker;
  readonly image: string;
  readonly name: string;
  readonly upstream: string | undefined;
  private starting: Promise<Result<MirrorEndpoint>> | undefined;

  constructor(options: RegistryMirrorOptions) {
    this.docker = options.docker;
    this.image = options.image ?? "dockyard/registry:latest";
    this.name = options.name ?? "dockyard-registry";
    this.upstream = options.upstream && options.upstream !== "off" ? options.upstream : undefined;
  }

  /** The running mirror, made and started when missing; the first call does the work, later ones share it. */
  ensure(): Promise<Result<MirrorEndpoint>> {
    this.starting ??= this.start().then((result) => {
      if (!result.ok) this.starting = undefined;
      return result;
    });
    return this.starting.then(async (result) => {
      if (!result.ok) return result;
      // Someone may have stopped or removed it since: look again, cheaply.
      const now = await this.endpoint();
      if (now.ok) return now;
      this.starting = undefined;
      return this.ensure();
    });
  }

  /** Where the running mirror is, or NOT_FOUND when it does not run. */
  async endpoint(): Promise<Result<MirrorEndpoint>> {
    try {
      const info = await this.docker.getContainer(this.name).inspect();
      const ip = info.NetworkSettings.Networks[this.name]?.IPAddress;
      if (!info.State.Running || !ip) {
        return err(dockyardError("NOT_FOUND", `The registry mirror ${this.name} is not running.`));
      }
      return ok({ containerId: info.Id, ip, url: `http://${ip}:${MIRROR_PORT}` });
    } catch (error) {
      return err(fromDockerError(error, `looking for the registry mirror ${this.name}`));
    }
  }

  private async start(): Promise<Result<MirrorEndpoint>> {
    try {
      await this.docker.getImage(this.image).inspect();
    } catch (error) {
      const e = fromDockerError(error, `looking for image ${this.image}`);
      if (e.code !== "NOT_FOUND") return err(e);
      return err(
        dockyardError("SANDBOX_FAILED", `The registry image ${this.image} is missing: build it with "npm run images".`),
      );
    }
    const labels = { [REGISTRY_LABEL]: "true", "dockyard.managed": "true" };
    try {
      await this.docker.createNetwork({ Name: this.name, Driver: "bridge", Labels: labels, CheckDuplicate: true });
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409)
        return err(fromDockerError(error, "creating the registry network"));
    }
    const env = this.upstream ? [`UPSTREAM_REGISTRY=${this.upstream}`] : [];
    try {
      const existing = await this.docker
        .getContainer(this.name)
        .inspect()
        .catch(() => undefined);
      // A mirror made for another upstream (or image, or without the no-forwarding rule) is replaced; its storage,
      // on the volume, stays.
      const wanted =
        existing?.Config.Image === this.image &&
        sameEnv(existing.Config.Env ?? [], env) &&
        existing.HostConfig.Sysctls?.["net.ipv4.ip_forward"] === "0";
      if (existing && !wanted) await this.docker.getContainer(this.name).remove({ force: true });
      if (!existing || !wanted) {
        await this.docker
          .createContainer({
            name: this.name,
            Image: this.image,
            Cmd: ["mirror"],
            Env: env,
            Labels: labels,
            HostConfig: {
              NetworkMode: this.name,
              Binds: [`${this.name}:/var/lib/docker-registry`],
              RestartPolicy: { Name: "unless-stopped" },
              CapDrop: ["ALL"],
              SecurityOpt: ["no-new-privileges"],
              ReadonlyRootfs: true,
              Tmpfs: { "/tmp": "rw,size=16m" },
              // It sits on every Docker session's network: it must never route between them. (A new network
              // namespace takes the host's ip_forward, which Docker turns on.)
              Sysctls: { "net.ipv4.ip_forward": "0", "net.ipv4.conf.all.forwarding": "0" },
              Memory: 512 * 1024 * 1024,
              PidsLimit: 256,
              LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "2" } },
            },
          })
          .catch((error: unknown) => {
            // Another process made it meanwhile: use that one.
            if ((error as { statusCode?: number }).statusCode !== 409) throw error;
          });
      }
      await this.docker
        .getContainer(this.name)
        .start()
        .catch((error: unknown) => {
          if ((error as { statusCode?: number }).statusCode !== 304) throw error;
        });
    } catch (error) {
      return err(fromDockerError(error, "starting the registry mirror"));
    }
    const where = await this.endpoint();
    if (!where.ok) return where;
    const ready = await waitForRegistry(where.value.url, 15_000);
    return ready.ok ? where : ready;
  }

  /** Puts the mirror on a session's network under MIRROR_ALIAS. */
  async connect(network: string): Promise<Result<void>> {
    const mirror = await this.ensure();
    if (!mirror.ok) return mirror;
    try {
      await this.docker
        .getNetwork(network)
        .connect({ Container: mirror.value.containerId, EndpointConfig: { Aliases: [MIRROR_ALIAS] } });
      return ok(undefined);
    } catch (error) {
      const message = String((error as { json?: { message?: string } }).json?.message ?? error);
      if (/already exists/i.test(message)) return ok(undefined);
      return err(fromDockerError(error, "connecting the registry mirror to the session network"));
    }
  }

  /** The tags the mirror holds of each repository it knows (a pull-through cache also lists what it cached). */
  async catalog(): Promise<Result<Map<string, string[]>>> {
    const mirror = await this.endpoint();
    if (!mirror.ok) return mirror;
    try {
      const repos = (await getJson(`${mirror.value.url}/v2/_catalog?n=1000`)) as { repositories?: string[] };
      const out = new Map<string, string[]>();
      for (const repository of repos.repositories ?? []) {
        const tags = (await getJson(`${mirror.value.url}/v2/${repository}/tags/list`)) as { tags?: string[] | null };
        out.set(repository, tags.tags ?? []);
      }
      return ok(out);
    } catch (error) {
      return err(dockyardError("SANDBOX_FAILED", `Reading the registry mirror's catalog: ${(error as Error).message}`));
    }
  }

  /**
   * The image id (its configuration's digest) the mirror holds under a reference, or undefined when it holds none:
   * equal to the engine's image id when they are the same image.
   */
  async imageId(reference: string, url?: string): Promise<Result<string | undefined>> {
    let base = url;
    if (!base) {
      const mirror = await this.endpoint();
      if (!mirror.ok) return mirror;
      base = mirror.value.url;
    }
    const { repository, tag } = registryPath(reference);
    try {
      const response = await fetch(`${base}/v2/${repository}/manifests/${encodeURIComponent(tag)}`, {
        headers: { accept: MANIFEST_TYPES },
        signal: AbortSignal.timeout(10_000),
      });
      if (response.status === 404) return ok(undefined);
      if (!response.ok)
        return err(dockyardError("SANDBOX_FAILED", `The registry answered ${response.status} for ${reference}.`));
      const manifest = (await response.json()) as { config?: { digest?: string } };
      return ok(manifest.config?.digest);
    } catch (error) {
      return err(dockyardError("SANDBOX_FAILED", `Asking the registry for ${reference}: ${(error as Error).message}`));
    }
  }
}

function sameEnv(have: string[], want: string[]): boolean {
  const upstream = (env: string[]) => env.find((e) => e.startsWith("UPSTREAM_REGISTRY=")) ?? "";
  return upstream(have) === upstream(want);
}

async function getJson(url: string): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

/** Waits until a registry at `url` answers its API's base route. */
export async function waitForRegistry(url: string, timeoutMs: number): Promise<Result<void, DockyardError>> {
  const until = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < until) {
    try {
      const response = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return ok(undefined);
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return err(
    dockyardError("SANDBOX_FAILED", `The registry at ${url} did not answer in ${timeoutMs / 1000} s (${last}).`),
  );
}
