import sanitizeHtml from "sanitize-html";

const ACTION_ATTRIBUTES = [
  "class",
  "data-action",
  "data-terminal",
  "data-host",
  "data-interrupt",
  "data-ctrl-seq",
  "data-no-newline",
  "data-no-copy",
  "role",
  "tabindex",
  "title",
];

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags,
    "img",
    "details",
    "summary",
    "del",
    "ins",
    // Quizzes (rendered by quiz-plugin; inputs run nothing and submit nowhere by themselves).
    "fieldset",
    "legend",
    "label",
    "input",
  ],
  allowedAttributes: {
    a: ["href", "name", "title", "target", "rel"],
    img: ["src", "alt", "title", "width", "height"],
    // File blocks: a click writes the content to a file in the sandbox (attribute values may hold `>` and quotes).
    pre: [...ACTION_ATTRIBUTES, "data-filename", "data-target", "data-marker"],
    code: ACTION_ATTRIBUTES,
    details: ["open"],
    fieldset: ["class", "data-quiz", "data-kind"],
    input: ["type", "name", "value", "aria-label"],
    ol: ["start", "type"],
    th: ["align", "colspan", "rowspan", "style"],
    td: ["align", "colspan", "rowspan", "style"],
    span: ["class"],
    div: ["class"],
    kbd: ["class"],
    abbr: ["title"],
  },
  // Only our own action classes and syntax-highlighting hints: a lesson must not borrow the app's layout classes
  // (say, to lay a fake page over the real one).
  allowedClasses: { "*": ["dy-*", "language-*", "lang-*", "file"] },
  allowedStyles: { th: { "text-align": [/^(left|right|center)$/] }, td: { "text-align": [/^(left|right|center)$/] } },
  allowedSchemes: ["http", "https", "mailto"],
  exclusiveFilter: (frame) =>
    frame.tag === "input" && !["text", "checkbox", "radio"].includes(frame.attribs.type ?? ""),
  allowedSchemesByTag: { img: ["http", "https"] },
  allowProtocolRelative: false,
  transformTags: {
    // A file block with a file name is an action: a click writes its content into the sandbox (or copies it).
    pre: (tagName, attribs) => {
      const isFileBlock = /(^|\s)file(\s|$)/.test(attribs.class ?? "") && !attribs["data-action"];
      if (!isFileBlock || !(attribs["data-filename"] || attribs["data-target"] === "clipboard")) {
        return { tagName, attribs };
      }
      const clipboard = attribs["data-target"] === "clipboard";
      return {
        tagName,
        attribs: {
          ...attribs,
          class: "file dy-action",
          "data-action": clipboard ? "copy" : "file",
          role: "button",
          tabindex: "0",
          title: clipboard ? "Copy to clipboard" : `Write to ${attribs["data-filename"]}`,
        },
      };
    },
    a: (tagName, attribs) => {
      const { target: _target, rel: _rel, ...rest } = attribs;
      const external = /^https?:\/\//i.test(rest.href?.trim() ?? "");
      return {
        tagName,
        attribs: external ? { ...rest, rel: "noopener noreferrer", target: "_blank" } : rest,
      };
    },
  },
};

/** Keeps the HTML a lesson needs (details/summary, images, tables, file blocks, actions); drops scripts and handlers. */
export function sanitizeLessonHtml(html: string, options: { resolveImage?: (src: string) => string } = {}): string {
  const { resolveImage } = options;
  if (!resolveImage) return sanitizeHtml(html, OPTIONS);
  return sanitizeHtml(html, {
    ...OPTIONS,
    transformTags: {
      ...OPTIONS.transformTags,
      img: (tagName, attribs) => ({ tagName, attribs: { ...attribs, src: resolveImage(attribs.src ?? "") } }),
    },
  });
}
