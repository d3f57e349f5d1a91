import { getElementsByTagName, textContent } from "domutils";
import { parseDocument } from "htmlparser2";
import type { Token } from "markdown-it";
import { FILE_BLOCK_TARGETS, type FileBlock } from "./file-block-script.ts";
import { lessonMarkdown } from "./lesson-markdown.ts";
import type { MarkerMeta } from "./markdown-actions-plugin.ts";
import type { ScenarioAction } from "./parse-action-marker.ts";

export type FileAction = { kind: "file" } & Omit<FileBlock, "content">;

export interface MarkdownAction {
  action: ScenarioAction | FileAction;
  /** The command or text exactly as the learner would run or copy it. */
  text: string;
}

/** The actions of a lesson page in document order: what `dockyard test` runs when a step has no `solve`. */
export function extractActions(markdown: string): MarkdownAction[] {
  const found: MarkdownAction[] = [];
  const visit = (tokens: Token[]) => {
    for (const token of tokens) {
      const meta = token.meta as MarkerMeta | null;
      if (meta?.action && (token.type === "code_inline" || token.type === "fence")) {
        found.push({ action: meta.action, text: token.content.replace(/\n+$/, "") });
      }
      if (token.type === "html_block" && /<pre[^>]*class=["'][^"']*\bfile\b/i.test(token.content)) {
        found.push(...fileBlocks(token.content));
      }
      if (token.children) visit(token.children);
    }
  };
  visit(lessonMarkdown.parse(markdown, {}));
  return found;
}

/** File blocks with a file name, in order. The HTML parser reads attribute values with `>` and quotes correctly. */
function fileBlocks(html: string): MarkdownAction[] {
  return getElementsByTagName("pre", parseDocument(html).children).flatMap((pre) => {
    const { class: cls = "", "data-filename": filename, "data-target": target = "replace" } = pre.attribs;
    if (!/(^|\s)file(\s|$)/.test(cls) || !filename) return [];
    if (!(FILE_BLOCK_TARGETS as readonly string[]).includes(target)) return [];
    // As in browsers, a newline right after <pre> is not content.
    const text = textContent(pre).replace(/^\r?\n/, "");
    const marker = pre.attribs["data-marker"];
    const action: FileAction = {
      kind: "file",
      filename,
      target: target as FileBlock["target"],
      ...(marker ? { marker } : {}),
    };
    return [{ action, text }];
  });
}
