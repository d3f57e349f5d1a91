import "server-only";
import { env } from "./env.ts";

/**
 * Fixed-window counters in this process's memory. With several web processes each counts on its own, so a client whose
 * requests are spread over N processes gets up to N times the limit: the limits are a brake on scripts and guessing,
 * not a quota (docs/architecture.md, "Several instances"). `hit` counts an attempt and says whether it may go ahead,
 * and if not, when to try again.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  hit(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    this.sweep(now);
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.set(key, { start: now, count: 1 });
      return { ok: true };
    }
    window.count += 1;
    if (window.count <= this.max) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) };
  }

  /** Whether `key` may go ahead, without counting this as an attempt. */
  peek(key: string, now = Date.now()): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const window = this.windows.get(key);
    if (!window || now - window.start >= this.windowMs || window.count < this.max) return { ok: true };
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000)) };
  }

  /** Forgets a key: a successful sign-in clears its failures. */
  reset(key: string): void {
    this.windows.delete(key);
  }

  private lastSweep = 0;
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(key);
  }
}

const limiters = new Map<string, RateLimiter>();

/** One limiter per purpose, shared by every request of this process. */
export function limiter(name: string, max: number, windowMs: number): RateLimiter {
  let found = limiters.get(name);
  if (!found) {
    found = new RateLimiter(max, windowMs);
    limiters.set(name, found);
  }
  return found;
}

/**
 * The client's address as the nearest proxy saw it, when Dockyard is told to trust one (TRUST_PROXY); undefined
 * otherwise, since a route handler does not see the socket.
 */
export function clientAddress(request: Request): string | undefined {
  if (!env().TRUST_PROXY) return undefined;
  return request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim() || undefined;
}
