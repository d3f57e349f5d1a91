import "server-only";
import { createKeyLock, type KeyLock } from "@dockyard/db/key-lock";
import { env } from "./env.ts";

const holder = globalThis as unknown as { dockyardKeyLock?: KeyLock };

/**
 * Runs `fn` after every earlier call with the same key has finished, in any web process of this database: two Start
 * clicks (or tabs) of one user on one scenario are decided one after the other, whichever web process each reaches.
 * `acrossProcesses: false` queues in this web process only, holding no database connection while `fn` runs.
 */
export async function withKeyLock<T>(
  key: string,
  fn: () => Promise<T>,
  options: { acrossProcesses?: boolean } = {},
): Promise<T> {
  holder.dockyardKeyLock ??= createKeyLock(env().DATABASE_URL);
  return holder.dockyardKeyLock.run(key, fn, options);
}
