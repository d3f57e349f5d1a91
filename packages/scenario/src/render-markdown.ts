import { lessonMarkdown as md } from "./lesson-markdown.ts";
import { sanitizeLessonHtml } from "./sanitize-lesson-html.ts";

export interface RenderOptions {
  /**
   * Where the page's relative images are served: called with the image's path relative to the scenario folder
   * (it may climb above it, as Killercoda's do to a repository's shared assets). Absolute URLs are left alone.
   */
  imageUrl?: (scenarioPath: string) => string;
  /** The markdown file's path relative to the scenario folder, which relative image paths start from. */
  textFile?: string;
  /** Shifts markdown headings down (1: `#` renders as h2), so lesson headings nest under the page's own. */
  headingOffset?: number;
}

md.core.ruler.push("dockyard_heading_offset", (state) => {
  const offset = (state.env as RenderOptions | undefined)?.headingOffset ?? 0;
  if (!offset) return;
  for (const token of state.tokens) {
    if (token.type !== "heading_open" && token.type !== "heading_close") continue;
    token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + offset)}`;
  }
});

/**
 * Renders scenario markdown to sanitized HTML. Code followed by `{{execute}}`, `{{exec}}`, `{{copy}}` or `{{open}}`
 * becomes an element with `class="dy-action"` and `data-*` attributes (see `parseActionMarker`) whose text is the
 * command exactly.
 */
export function renderMarkdown(markdown: string, options: RenderOptions = {}): string {
  const { imageUrl, textFile = "index.md" } = options;
  const html = md.render(nbspHeadings(markdown), { ...options });
  if (!imageUrl) return sanitizeLessonHtml(html);
  const base = textFile.includes("/") ? textFile.slice(0, textFile.lastIndexOf("/")) : "";
  return sanitizeLessonHtml(html, {
    resolveImage: (src) => (/^([a-z][a-z0-9+.-]*:|\/)/i.test(src) || !src ? src : imageUrl(joinPath(base, src))),
  });
}

/**
 * `#\u00a0Title` (a no-break space after the hashes, as some editors write) is a heading to Katacoda's renderer,
 * whose pattern took any white space; CommonMark wants a plain space. Code blocks keep theirs.
 */
function nbspHeadings(markdown: string): string {
  if (!markdown.includes("\u00a0")) return markdown;
  let fence: string | undefined;
  return markdown
    .split("\n")
    .map((line) => {
      const opener = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (opener && (!fence || opener.startsWith(fence))) fence = fence ? undefined : opener;
      return fence ? line : line.replace(/^( {0,3}#{1,6})\u00a0/, "$1 ");
    })
    .join("\n");
}

/** `base/relative` with `.` and `..` folded, keeping leading `..` that climb above the scenario folder. */
export function joinPath(base: string, relative: string): string {
  const parts: string[] = [];
  for (const segment of `${base}/${relative.split(/[?#]/)[0] ?? ""}`.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && parts.length > 0 && parts.at(-1) !== "..") parts.pop();
    else parts.push(segment);
  }
  return parts.join("/");
}
