import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface ThrowawayPostgres {
  /** The server's `postgres` database as its superuser (trust on 127.0.0.1 only). */
  url: string;
  stop(): void;
}

/**
 * A PostgreSQL server of its own for a test that needs one whatever the run gives (the event bus exists only there):
 * `npm test`'s (scripts/test-postgres.mjs) in a temporary folder. Use DOCKYARD_TEST_POSTGRES_URL's when it is set.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  // Not a literal: the script is plain JavaScript without types, loaded as it is.
  const script = new URL("../../../scripts/test-postgres.mjs", import.meta.url).href;
  const { startTestPostgres } = (await import(script)) as {
    startTestPostgres: (dir: string) => Promise<ThrowawayPostgres>;
  };
  return startTestPostgres(mkdtempSync(join(tmpdir(), "dockyard-pg-")));
}
