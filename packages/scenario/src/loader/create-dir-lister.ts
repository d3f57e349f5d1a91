import { type Dirent, readdirSync, statSync } from "node:fs";
import path from "node:path";
import type { ListFiles } from "../scenario.ts";
import { safeRealpath } from "./safe-realpath.ts";

/** Never part of a scenario's content, and possibly huge. */
const SKIPPED = new Set(["node_modules", ".git"]);

/**
 * A `ListFiles` confined to `dir`, the counterpart of `createDirReader`: it refuses paths climbing out, and lists
 * neither symlinked directories (loops) nor links pointing outside `dir`.
 */
export function createDirLister(dir: string): ListFiles {
  const root = safeRealpath(dir);
  return (relativeDir) => {
    if (!root || path.isAbsolute(relativeDir) || relativeDir.includes("\0")) return undefined;
    const start = safeRealpath(path.resolve(root, relativeDir));
    if (!start || (start !== root && !start.startsWith(root + path.sep))) return undefined;
    const files: string[] = [];
    const walk = (abs: string, rel: string): boolean => {
      let entries: Dirent[];
      try {
        entries = readdirSync(abs, { withFileTypes: true });
      } catch {
        return false;
      }
      for (const entry of entries) {
        const relPath = rel ? `${rel}/${entry.name}` : entry.name;
        const absPath = path.join(abs, entry.name);
        if (entry.isDirectory()) {
          if (!SKIPPED.has(entry.name)) walk(absPath, relPath);
        } else if (entry.isFile()) {
          files.push(relPath);
        } else if (entry.isSymbolicLink() && isFileInside(absPath, root)) {
          files.push(relPath);
        }
      }
      return true;
    };
    return walk(start, "") ? files.sort() : undefined;
  };
}

function isFileInside(link: string, root: string): boolean {
  const real = safeRealpath(link);
  if (!real?.startsWith(root + path.sep)) return false;
  try {
    return statSync(real).isFile();
  } catch {
    return false;
  }
}
