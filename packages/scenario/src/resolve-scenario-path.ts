/**
 * Normalises a path written in a scenario file (`./step1/../step1.md` -> `step1.md`). Returns undefined for absolute
 * paths and paths that climb out of the scenario directory, which a scenario must never read.
 */
export function resolveScenarioPath(path: string): string | undefined {
  if (path.includes("\0") || /^(?:[/\\]|[A-Za-z]:)/.test(path)) return undefined;
  const parts: string[] = [];
  for (const part of path.split(/[/\\]+/)) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return undefined;
      parts.pop();
    } else parts.push(part);
  }
  return parts.length > 0 ? parts.join("/") : undefined;
}
