import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { runProcess } from "./ssh-exec.ts";

describe("runProcess", () => {
  it("does not start a program whose signal was aborted before the call", async () => {
    const started = Date.now();
    const run = await runProcess("/bin/sh", ["-c", "sleep 5"], {
      deadlineMs: 10_000,
      signal: AbortSignal.abort(),
      outputLimit: 1024,
    });
    expect(run).toMatchObject({ exitCode: null, deadlineHit: true });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("ends a program when its signal aborts, and leaves no listener on a signal it shares", async () => {
    const shared = new AbortController();
    for (let i = 0; i < 3; i++) {
      const run = await runProcess("/bin/sh", ["-c", "echo hi"], {
        deadlineMs: 10_000,
        signal: shared.signal,
        outputLimit: 1024,
      });
      expect(run.exitCode).toBe(0);
    }
    expect(getEventListeners(shared.signal, "abort")).toHaveLength(0);

    const started = Date.now();
    const stopping = runProcess("/bin/sh", ["-c", "sleep 5"], {
      deadlineMs: 10_000,
      signal: shared.signal,
      outputLimit: 1024,
    });
    setTimeout(() => shared.abort(), 100);
    expect(await stopping).toMatchObject({ exitCode: null, deadlineHit: true });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
