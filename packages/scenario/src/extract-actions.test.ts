import { describe, expect, it } from "vitest";
import { extractActions } from "./extract-actions.ts";

describe("extractActions", () => {
  it("finds inline and fenced actions in document order, with their modifiers", () => {
    const md = [
      "Run `ls -l`{{execute}} first.",
      "",
      "```",
      "echo one",
      "echo two",
      "```{{execute T2}}",
      "",
      "Copy `secret`{{copy}}, but not `plain` code or `{{range .items}}`.",
      "",
      "`^C`{{execute ctrl-seq}}",
    ].join("\n");
    expect(extractActions(md)).toEqual([
      { action: expect.objectContaining({ kind: "execute", terminal: 1 }), text: "ls -l" },
      { action: expect.objectContaining({ kind: "execute", terminal: 2 }), text: "echo one\necho two" },
      { action: { kind: "copy" }, text: "secret" },
      { action: expect.objectContaining({ kind: "execute", ctrlSeq: true }), text: "^C" },
    ]);
  });

  it("finds file blocks with their target and marker, reading attributes with an HTML parser", () => {
    const md = [
      "Write it:",
      "",
      '<pre class="file" data-filename="app.js" data-target="insert" data-marker="// a > b">',
      "const x = 1 &amp;&amp; 2;",
      "</pre>",
      "",
      '<pre class="file">not a target</pre>',
    ].join("\n");
    expect(extractActions(md)).toEqual([
      {
        action: { kind: "file", filename: "app.js", target: "insert", marker: "// a > b" },
        text: "const x = 1 && 2;\n",
      },
    ]);
  });

  it("finds none in plain markdown", () => {
    expect(extractActions("# Title\n\n```\nls\n```\n")).toEqual([]);
  });
});
