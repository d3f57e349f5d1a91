import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeyLock, type KeyLock } from "./key-lock.ts";
import { createTestDatabase, type TestDatabase } from "./test-database.ts";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./throwaway-postgres.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs overlapping work under `locks` (one per simulated process) and says how the runs interleaved. */
async function overlap(locks: KeyLock[], keys: string[]) {
  const events: string[] = [];
  await Promise.all(
    keys.map((key, i) =>
      (locks[i % locks.length] as KeyLock).run(key, async () => {
        events.push(`start ${i}`);
        await sleep(150);
        events.push(`end ${i}`);
      }),
    ),
  );
  return events;
}

describe("key locks in one process (SQLite)", () => {
  it("runs the work of one key one at a time, and other keys alongside", async () => {
    const lock = createKeyLock("file:/tmp/unused.db");
    expect(await overlap([lock], ["a", "a"])).toEqual(["start 0", "end 0", "start 1", "end 1"]);
    expect((await overlap([lock], ["a", "b"])).slice(0, 2)).toEqual(["start 0", "start 1"]);
    await lock.close();
  });
});

describe("key locks across processes (PostgreSQL)", () => {
  let server: ThrowawayPostgres | undefined;
  let database: TestDatabase;
  let locks: KeyLock[] = [];

  beforeAll(async () => {
    const given = process.env.DOCKYARD_TEST_POSTGRES_URL;
    if (!given) server = await startThrowawayPostgres();
    database = await createTestDatabase({ postgresUrl: given ?? server?.url ?? "", migrated: false });
    // Two web processes: each its own connections.
    locks = [createKeyLock(database.url), createKeyLock(database.url)];
  });
  afterAll(async () => {
    await Promise.all(locks.map((l) => l.close()));
    await database?.drop();
    server?.stop();
  });

  it("one key: the second process waits for the first to finish", async () => {
    // Either may go first; the other starts only after it ended.
    const [a, b, c, d] = await overlap(locks, ["user-1:lab", "user-1:lab"]);
    expect([a?.split(" ")[0], b, c?.split(" ")[0], d]).toEqual([
      "start",
      a?.replace("start", "end"),
      "start",
      c?.replace("start", "end"),
    ]);
  });

  it("different keys do not wait for each other", async () => {
    expect((await overlap(locks, ["user-1:lab", "user-2:lab"])).slice(0, 2).sort()).toEqual(["start 0", "start 1"]);
  });

  it("work that fails lets the next one in, and the failure reaches its caller", async () => {
    const [first, second] = locks as [KeyLock, KeyLock];
    const failing = first.run("k", async () => {
      await sleep(50);
      throw new Error("the gateway said no");
    });
    const next = second.run("k", async () => "ran");
    await expect(failing).rejects.toThrow("the gateway said no");
    expect(await next).toBe("ran");
  });

  it("a lock connection dropped while its work runs leaves the process up, and the next lock works", async () => {
    const [first] = locks as [KeyLock];
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    try {
      const result = await first.run("dropped", async () => {
        const killed = await admin.query(
          `SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
           WHERE a.datname = current_database() AND a.application_name = 'dockyard-key-lock'
             AND l.locktype = 'advisory' AND l.granted`,
        );
        expect(killed.rowCount).toBe(1);
        // The dropped connection reports its error while nobody queries it (an unheard one fails this run).
        await sleep(300);
        return "done";
      });
      expect(result).toBe("done");
      expect(await first.run("dropped", async () => "again")).toBe("again");
    } finally {
      await admin.end();
    }
  });

  it("waits a bounded time for a connection, and in-process keys need none", async () => {
    const lock = createKeyLock(database.url, { connections: 1, connectTimeoutMs: 300 });
    try {
      let release: () => void = () => undefined;
      const holding = lock.run("slow", () => new Promise<void>((r) => (release = r)));
      await sleep(100);
      await expect(lock.run("other", async () => "ran")).rejects.toThrow(/timeout/i);
      expect(await lock.run("check:other", async () => "ran", { acrossProcesses: false })).toBe("ran");
      release();
      await holding;
      expect(await lock.run("other", async () => "ran")).toBe("ran");
    } finally {
      await lock.close();
    }
  });
});
