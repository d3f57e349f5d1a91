import { readFileSync } from "node:fs";
import path from "node:path";
import type { ReadFile } from "../scenario.ts";
import { safeRealpath } from "./safe-realpath.ts";

/**
 * A `ReadFile` confined to `dir`: absolute paths, `..` escapes and symlinks pointing outside read as missing.
 * (`parseScenario` reports such paths as errors before it reads.)
 */
export function createDirReader(dir: string): ReadFile {
  const root = safeRealpath(dir);
  return (relativePath) => {
    if (!root || path.isAbsolute(relativePath) || relativePath.includes("\0")) return undefined;
    const real = safeRealpath(path.resolve(root, relativePath));
    if (!real?.startsWith(root + path.sep)) return undefined;
    try {
      // Scenarios are read at run time from a configured folder, not bundled: keep the build from tracing it.
      return readFileSync(/*turbopackIgnore: true*/ real, "utf8");
    } catch {
      // Missing, a directory, or unreadable: all mean "no such file" to the parser.
      return undefined;
    }
  };
}
