/** A Katacoda file block: `<pre class="file" data-filename data-target data-marker>content</pre>`. */
export interface FileBlock {
  filename: string;
  /** How the content lands: the whole file, at its end or start, or in place of a marker line. */
  target: "replace" | "append" | "prepend" | "insert";
  marker?: string;
  content: string;
}

export const FILE_BLOCK_TARGETS = ["replace", "append", "prepend", "insert"] as const;

/**
 * The shell script (and its environment) that applies a file block inside the sandbox. Paths are relative to the
 * editor's folder (`uieditorpath`, default /root). Content and names travel in the environment, never in the script
 * text, so nothing in them is interpreted by the shell. `insert` replaces the marker where it stands and indents
 * every inserted line like the marker's line.
 */
export function fileBlockScript(block: FileBlock, baseDir = "/root"): { script: string; env: Record<string, string> } {
  // Every target rewrites the file in place (`cat >`), so it keeps its mode: a script stays executable.
  const script = `set -e
case "$DY_FILE" in /*) f="$DY_FILE" ;; *) f="$DY_BASE/$DY_FILE" ;; esac
mkdir -p "$(dirname "$f")"
case "$DY_TARGET" in
  replace) printf '%s' "$DY_CONTENT" > "$f" ;;
  append) printf '%s' "$DY_CONTENT" >> "$f" ;;
  prepend) t=$(mktemp); { printf '%s' "$DY_CONTENT"; cat "$f" 2>/dev/null || true; } > "$t"; cat "$t" > "$f"; rm -f "$t" ;;
  insert)
    [ -n "$DY_MARKER" ] || { echo "FAIL: an insert needs a marker" >&2; exit 2; }
    t=$(mktemp)
    perl -0pe 'my $m = quotemeta $ENV{DY_MARKER}; my $c = $ENV{DY_CONTENT}; $c =~ s/\\n\\z//;
      s{^([ \\t]*)$m}{my $i = $1; join "\\n", map { $i . $_ } split /\\n/, $c, -1}me
        or die "FAIL: $ENV{DY_FILE} has no line starting with the marker\\n"' "$f" > "$t" \\
      || { rm -f "$t"; exit 3; }
    cat "$t" > "$f"; rm -f "$t" ;;
  *) echo "FAIL: unknown target $DY_TARGET" >&2; exit 2 ;;
esac`;
  return {
    script,
    env: {
      DY_FILE: block.filename,
      DY_BASE: baseDir,
      DY_TARGET: block.target,
      DY_MARKER: block.marker ?? "",
      DY_CONTENT: block.content,
    },
  };
}
