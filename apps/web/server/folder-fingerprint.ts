import "server-only";
import { createHash } from "node:crypto";
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Files looked at per folder: scenario folders are small; a huge one is fingerprinted by its first files. */
const MAX_ENTRIES = 5000;
const POLL_MS = 700;

/** A hash of the names, sizes and modification times of every file under `dir`; symlinks are not followed. */
export function folderFingerprint(dir: string): string {
  const hash = createHash("sha1");
  let seen = 0;
  const walk = (path: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return;
    }
    for (const entry of entries) {
      if (seen++ >= MAX_ENTRIES || entry.name === ".git" || entry.name === "node_modules") continue;
      const full = join(path, entry.name);
      if (entry.isDirectory()) {
        walk(full);
        continue;
      }
      const stat = lstatSync(full, { throwIfNoEntry: false });
      if (stat) hash.update(`${full}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  walk(dir);
  return hash.digest("hex");
}

const watched = new Map<string, { listeners: Set<() => void>; timer: NodeJS.Timeout }>();

/**
 * Calls `listener` whenever a file under `dir` changes. One poller per folder, however many pages watch it; it
 * stops with the last of them. Returns the function that stops watching.
 */
export function watchFolder(dir: string, listener: () => void): () => void {
  let entry = watched.get(dir);
  if (!entry) {
    let last = folderFingerprint(dir);
    const listeners = new Set<() => void>();
    const timer = setInterval(() => {
      const now = folderFingerprint(dir);
      if (now === last) return;
      last = now;
      for (const notify of listeners) notify();
    }, POLL_MS);
    timer.unref();
    entry = { listeners, timer };
    watched.set(dir, entry);
  }
  const current = entry;
  current.listeners.add(listener);
  return () => {
    current.listeners.delete(listener);
    if (current.listeners.size === 0) {
      clearInterval(current.timer);
      watched.delete(dir);
    }
  };
}
