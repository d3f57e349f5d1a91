import { lessonMarkdown as md } from "./lesson-markdown.ts";
import { sanitizeLessonHtml } from "./sanitize-lesson-html.ts";

export interface RenderOptions {
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
  return sanitizeLessonHtml(md.render(markdown, { ...options }));
}
