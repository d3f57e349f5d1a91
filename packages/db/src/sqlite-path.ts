import { isAbsolute, resolve } from "node:path";

/** The file path behind a `file:` SQLite URL, made absolute against `base`. */
export function sqlitePath(url: string, base: string = process.cwd()): string {
  if (!url.startsWith("file:")) throw new Error("Not a file: SQLite URL");
  const path = url.slice("file:".length).replace(/\?.*$/, "");
  return isAbsolute(path) ? path : resolve(base, path);
}
