import type { MarkdownIt, RendererRule, StateBlock, StateInline, Token } from "markdown-it";
import { parseActionMarker, type ScenarioAction } from "./parse-action-marker.ts";

/** What a marker after inline code or a closing fence asked for; kept in `token.meta`. */
export interface MarkerMeta {
  action?: ScenarioAction;
  /** Killercoda `{{}}`: this code is not copyable on click. */
  noCopy?: boolean;
}

const MARKER = /^\{\{([^{}\n]*)\}\}[ \t]*$/;

/**
 * Katacoda/Killercoda actions: `` `cmd`{{execute T2}} `` and a fence closed by ```` ```{{execute}} ````.
 * CommonMark does not accept text after a closing fence, so the fence rule is replaced by one that does.
 */
export function markdownActionsPlugin(md: MarkdownIt): void {
  md.inline.ruler.after("backticks", "dy_action_marker", inlineMarker);
  md.block.ruler.at("fence", fenceWithMarker, { alt: ["paragraph", "reference", "blockquote", "list"] });

  const defaultCodeInline = md.renderer.rules.code_inline;
  const defaultFence = md.renderer.rules.fence;
  const escapeHtml = md.utils.escapeHtml;

  md.renderer.rules.code_inline = (tokens, idx, options, env, self) => {
    const token = tokens[idx] as Token;
    const meta = token.meta as MarkerMeta | null;
    if (meta?.action) return `<code ${actionAttributes(meta.action)}>${escapeHtml(token.content)}</code>`;
    if (meta?.noCopy) return `<code data-no-copy="">${escapeHtml(token.content)}</code>`;
    return renderDefault(defaultCodeInline, tokens, idx, options, env, self);
  };

  md.renderer.rules.fence = (tokens, idx, options, env, self) => {
    const token = tokens[idx] as Token;
    const meta = token.meta as MarkerMeta | null;
    if (meta?.action) {
      // The command is the element's text exactly: no trailing newline, or a click would press Enter twice.
      const command = token.content.replace(/\n+$/, "");
      return `<pre ${actionAttributes(meta.action)}><code>${escapeHtml(command)}</code></pre>\n`;
    }
    const html = renderDefault(defaultFence, tokens, idx, options, env, self);
    return meta?.noCopy ? html.replace(/^<pre/, '<pre data-no-copy=""') : html;
  };
}

function renderDefault(rule: RendererRule | undefined, ...args: Parameters<RendererRule>): string {
  const [tokens, idx, options, env, self] = args;
  return rule ? rule(tokens, idx, options, env, self) : self.renderToken(tokens, idx, options);
}

const TITLES = { execute: "Run in terminal", copy: "Copy to clipboard", open: "Open in editor" } as const;

function actionAttributes(action: ScenarioAction): string {
  const attributes = [`class="dy-action"`, `data-action="${action.kind}"`];
  if (action.kind === "execute") {
    attributes.push(`data-terminal="${action.terminal}"`, `data-host="${action.host}"`);
    if (action.interrupt) attributes.push(`data-interrupt=""`);
    if (action.ctrlSeq) attributes.push(`data-ctrl-seq=""`);
    if (!action.newline) attributes.push(`data-no-newline=""`);
  }
  attributes.push(`role="button"`, `tabindex="0"`, `title="${TITLES[action.kind]}"`);
  return attributes.join(" ");
}

/** Reads a marker (the text inside the braces): an action, no-copy for `{{}}`, or undefined when it is not ours. */
function readMarker(inner: string): MarkerMeta | undefined {
  if (inner.trim() === "") return { noCopy: true };
  const action = parseActionMarker(inner);
  return action ? { action } : undefined;
}

/** `{{...}}` directly after inline code (nothing pending between them) becomes that code's action. */
function inlineMarker(state: StateInline, silent: boolean): boolean {
  const start = state.pos;
  if (state.src.charCodeAt(start) !== 0x7b || state.src.charCodeAt(start + 1) !== 0x7b) return false;
  if (state.pending !== "") return false;
  const previous = state.tokens[state.tokens.length - 1];
  if (previous?.type !== "code_inline") return false;

  const close = state.src.indexOf("}}", start + 2);
  if (close < 0 || close + 2 > state.posMax) return false;
  const inner = state.src.slice(start + 2, close);
  if (/[{}\n]/.test(inner)) return false;
  const meta = readMarker(inner);
  if (!meta) return false;

  if (!silent) previous.meta = meta;
  state.pos = close + 2;
  return true;
}

/** markdown-it's fence rule, except that a closing fence may carry an action marker (```` ```{{exec}} ````). */
function fenceWithMarker(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  let pos = (state.bMarks[startLine] ?? 0) + (state.tShift[startLine] ?? 0);
  let max = state.eMarks[startLine] ?? 0;

  if ((state.sCount[startLine] ?? 0) - state.blkIndent >= 4) return false;
  if (pos + 3 > max) return false;

  const marker = state.src.charCodeAt(pos);
  if (marker !== 0x7e /* ~ */ && marker !== 0x60 /* ` */) return false;

  let mem = pos;
  pos = state.skipChars(pos, marker);
  const len = pos - mem;
  if (len < 3) return false;

  const markup = state.src.slice(mem, pos);
  const params = state.src.slice(pos, max);
  if (marker === 0x60 && params.includes("`")) return false;
  if (silent) return true;

  let nextLine = startLine;
  let haveEndMarker = false;
  let meta: MarkerMeta | undefined;

  for (;;) {
    nextLine++;
    // An unclosed block is closed by the end of the document or of its parent.
    if (nextLine >= endLine) break;

    pos = mem = (state.bMarks[nextLine] ?? 0) + (state.tShift[nextLine] ?? 0);
    max = state.eMarks[nextLine] ?? 0;
    const indent = state.sCount[nextLine] ?? 0;

    // A non-empty line with negative indent ends a list item, and the fence with it.
    if (pos < max && indent < state.blkIndent) break;
    if (state.src.charCodeAt(pos) !== marker) continue;
    if (indent - state.blkIndent >= 4) continue;

    pos = state.skipChars(pos, marker);
    if (pos - mem < len) continue;
    pos = state.skipSpaces(pos);
    if (pos < max) {
      const found = MARKER.exec(state.src.slice(pos, max));
      const read = found ? readMarker(found[1] ?? "") : undefined;
      if (!read) continue;
      meta = read;
    }
    haveEndMarker = true;
    break;
  }

  state.line = nextLine + (haveEndMarker ? 1 : 0);

  const token = state.push("fence", "code", 0);
  token.info = params;
  token.content = state.getLines(startLine + 1, nextLine, state.sCount[startLine] ?? 0, true);
  token.markup = markup;
  token.map = [startLine, state.line];
  if (meta) token.meta = meta;
  return true;
}
