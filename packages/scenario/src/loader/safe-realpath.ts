import { realpathSync } from "node:fs";

/** The real path (links resolved), or undefined where there is none (missing, unreadable). */
export function safeRealpath(p: string): string | undefined {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
}
