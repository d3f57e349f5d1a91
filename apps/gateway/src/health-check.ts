import type { DockyardError, GatewayHealth, Result } from "@dockyard/protocol";

export interface HealthCheckOptions {
  /** Docker's answer: with several engines, every engine is asked (seconds when one is down). */
  ping: () => Promise<Result<{ version: string }, DockyardError>>;
  /** Sessions taken stock of (boot is over). */
  isReady: () => boolean;
  isolation?: { ok: boolean; error?: string };
  /** How long one answer of Docker's serves; default 3 s. */
  maxAgeMs?: number;
}

/**
 * /healthz: Docker is asked at most once per `maxAgeMs`, one question at a time, however often the health is read
 * (the route is public). `full` is for the web app on the internal listener; `brief` says ok or not per component,
 * without versions or error text (which name engines' endpoints), for everyone else.
 */
export class HealthCheck {
  private answer: { at: number; docker: Result<{ version: string }, DockyardError> } | undefined;
  private asking: Promise<Result<{ version: string }, DockyardError>> | undefined;

  constructor(private readonly options: HealthCheckOptions) {}

  private docker(): Promise<Result<{ version: string }, DockyardError>> {
    const maxAge = this.options.maxAgeMs ?? 3000;
    if (this.answer && Date.now() - this.answer.at < maxAge) return Promise.resolve(this.answer.docker);
    this.asking ??= this.options
      .ping()
      .then((docker) => {
        this.answer = { at: Date.now(), docker };
        return docker;
      })
      .finally(() => {
        this.asking = undefined;
      });
    return this.asking;
  }

  async full(): Promise<GatewayHealth> {
    const docker = await this.docker();
    const ready = docker.ok && this.options.isReady();
    return {
      ok: ready,
      docker: docker.ok ? { ok: true, version: docker.value.version } : { ok: false, error: docker.error.message },
      ...(this.options.isolation ? { isolation: this.options.isolation } : {}),
      ...(docker.ok && !this.options.isReady() ? { starting: true } : {}),
    };
  }

  async brief(): Promise<GatewayHealth> {
    const health = await this.full();
    return {
      ok: health.ok,
      docker: { ok: health.docker.ok },
      ...(health.isolation ? { isolation: { ok: health.isolation.ok } } : {}),
      ...(health.starting ? { starting: true } : {}),
    };
  }
}
