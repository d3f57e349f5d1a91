/** Runs once when the web server starts: keeps the gateway's warm pools matched to the events that are near. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { syncWarmPools } = await import("./server/event-pools.ts");
  const { log } = await import("./server/log.ts");
  const sync = () =>
    syncWarmPools()
      .then((result) => {
        if (!result.ok) log("warn", "warm pools not synced", { reason: result.error.message });
      })
      .catch((error: unknown) => log("error", "warm pools not synced", { reason: String(error) }));
  // The gateway may still be starting: the first try is a little later, then every minute.
  setTimeout(sync, 5_000).unref();
  setInterval(sync, 60_000).unref();
}
