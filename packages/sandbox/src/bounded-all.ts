/** What became of one item's call: its value, its error, or nothing by the deadline. */
export type Outcome<T> = { status: "done"; value: T } | { status: "failed"; error: unknown } | { status: "timeout" };

export interface BoundedOptions {
  /** Calls in flight at once. */
  limit: number;
  /** After this long, calls still running are aborted (their signal fires) and settle as `timeout`. */
  deadlineMs: number;
}

/**
 * Calls `work` for each item, at most `limit` at a time, and stops waiting at the deadline: one call that hangs can
 * delay the answer by no more than that. Never rejects; outcomes are in the items' order.
 */
export async function boundedAll<I, T>(
  items: readonly I[],
  work: (item: I, signal: AbortSignal) => Promise<T>,
  { limit, deadlineMs }: BoundedOptions,
): Promise<Outcome<T>[]> {
  const outcomes: Outcome<T>[] = items.map(() => ({ status: "timeout" }));
  // One controller per call (a shared signal would collect a listener per request); the deadline aborts those left.
  const inFlight = new Set<AbortController>();
  let late = false;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length && !late; i = next++) {
      const abort = new AbortController();
      inFlight.add(abort);
      try {
        const value = await work(items[i] as I, abort.signal);
        // A call that ends after the deadline is not reported: the answer has gone already.
        if (!late) outcomes[i] = { status: "done", value };
      } catch (error) {
        if (!late) outcomes[i] = { status: "failed", error };
      } finally {
        inFlight.delete(abort);
      }
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      late = true;
      for (const abort of inFlight) abort.abort(new Error(`deadline of ${deadlineMs} ms passed`));
      resolve();
    }, deadlineMs);
  });
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker);
  await Promise.race([Promise.all(workers), deadline]).finally(() => clearTimeout(timer));
  return outcomes;
}
