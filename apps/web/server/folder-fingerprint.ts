import "server-only";
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Files looked at per folder: scenario folders are small; a huge one is fingerprinted by its first files. */
const MAX_ENTRIES = 5000;

/** A hash of the names, sizes and modification times of every file under `dir` (symlinks not followed). */
export function folderFingerprint(dir: string): string {
  const hash = createHash("sha1");
  let seen = 0;
  const walk = (path: string) => {
    let entries: string[];
    try {
      entries = readdirSync(path).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (seen++ >= MAX_ENTRIES || name === ".git" || name === "node_modules") continue;
      const full = join(path, name);
      try {
        const stat = statSync(full, { throwIfNoEntry: false });
        if (!stat) continue;
        if (stat.isDirectory()) walk(full);
        else hash.update(`${full}\0${stat.size}\0${stat.mtimeMs}\n`);
      } catch {
        // Gone between listing and looking: the next round sees it.
      }
    }
  };
  walk(dir);
  return hash.digest("hex");
}
