/** `{{execute ...}}` / `{{exec ...}}`: type the text into a terminal. */
export interface ExecuteAction {
  kind: "execute";
  /** 1-based terminal tab (`T2`), default 1. */
  terminal: number;
  /** 1-based host (`HOST2`), default 1. */
  host: number;
  /** Send Ctrl+C first. */
  interrupt: boolean;
  /** The text is a control sequence such as `^C`. */
  ctrlSeq: boolean;
  /** Press Enter after the text; false with `no-newline`. */
  newline: boolean;
}

export type ScenarioAction = ExecuteAction | { kind: "copy" } | { kind: "open" };

/**
 * Reads the text inside `{{ }}` after inline code or a closing fence. Returns undefined unless the first word is
 * `execute`, `exec`, `copy` or `open`, so template braces such as `{{range .items}}` stay text.
 * Modifiers are case-insensitive and in any order; unknown ones (Katacoda test ids) are ignored.
 */
export function parseActionMarker(marker: string): ScenarioAction | undefined {
  const [first, ...modifiers] = marker.trim().split(/\s+/);
  const verb = first?.toLowerCase();
  if (verb === "copy") return { kind: "copy" };
  if (verb === "open") return { kind: "open" };
  if (verb !== "execute" && verb !== "exec") return undefined;

  const action: ExecuteAction = {
    kind: "execute",
    terminal: 1,
    host: 1,
    interrupt: false,
    ctrlSeq: false,
    newline: true,
  };
  for (const modifier of modifiers) {
    const word = modifier.toLowerCase().replace(/[-_]/g, "");
    const numbered = /^(t|host)(\d+)$/.exec(word);
    if (numbered) {
      const n = Number(numbered[2]);
      if (n < 1) continue;
      if (numbered[1] === "t") action.terminal = n;
      else action.host = n;
    } else if (word === "interrupt") action.interrupt = true;
    else if (word === "ctrlseq") action.ctrlSeq = true;
    else if (word === "nonewline") action.newline = false;
  }
  return action;
}
