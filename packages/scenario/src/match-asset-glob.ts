/**
 * The files (paths relative to `assets/`) that a `details.assets[].file` glob copies. `*` and `?` stay inside one
 * directory, `**` spans directories; only files are copied, so a bare directory name matches nothing.
 */
export function matchAssetGlob(glob: string, files: readonly string[]): string[] {
  const pattern = glob
    .replace(/\\/g, "/")
    .replace(/\/{2,}/g, "/")
    .replace(/^(?:\.\/)+/, "")
    .replace(/\/$/, "");
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === "*" && pattern.charAt(i + 1) === "*") {
      const slash = pattern.charAt(i + 2) === "/";
      source += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (ch === "*") source += "[^/]*";
    else if (ch === "?") source += "[^/]";
    else source += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  const re = new RegExp(`^${source}$`);
  return files.filter((file) => re.test(file));
}
