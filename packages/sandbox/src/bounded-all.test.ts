import { describe, expect, it } from "vitest";
import { boundedAll } from "./bounded-all.ts";

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

describe("boundedAll", () => {
  it("keeps at most `limit` calls in flight and reports each outcome in order", async () => {
    let inFlight = 0;
    let most = 0;
    const outcomes = await boundedAll(
      Array.from({ length: 20 }, (_, i) => i),
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await sleep(5);
        inFlight--;
        if (i === 3) throw new Error("three");
        return i * 2;
      },
      { limit: 4, deadlineMs: 5000 },
    );
    expect(most).toBe(4);
    expect(outcomes[0]).toEqual({ status: "done", value: 0 });
    expect(outcomes[3]).toMatchObject({ status: "failed" });
    expect(outcomes[19]).toEqual({ status: "done", value: 38 });
  });

  it("answers by the deadline when a call hangs, aborting it, and the others still come in", async () => {
    let aborted = false;
    const started = performance.now();
    const outcomes = await boundedAll(
      ["hangs", "a", "b", "c"],
      async (item, signal) => {
        if (item !== "hangs") return item;
        signal.addEventListener("abort", () => {
          aborted = true;
        });
        return new Promise<string>(() => undefined);
      },
      { limit: 2, deadlineMs: 200 },
    );
    expect(performance.now() - started).toBeLessThan(1000);
    expect(aborted).toBe(true);
    expect(outcomes).toEqual([
      { status: "timeout" },
      { status: "done", value: "a" },
      { status: "done", value: "b" },
      { status: "done", value: "c" },
    ]);
  });

  it("marks what never started as timed out when the deadline comes first", async () => {
    const outcomes = await boundedAll([1, 2, 3], (_, signal) => sleep(1000, signal).then(() => 0), {
      limit: 1,
      deadlineMs: 50,
    });
    expect(outcomes.map((o) => o.status)).toEqual(["timeout", "timeout", "timeout"]);
  });
});
