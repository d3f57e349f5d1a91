import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./render-markdown.ts";

interface ActionElement {
  tag: string;
  attributes: Record<string, string>;
  text: string;
}

/** The actionable elements of rendered HTML, with attributes and textContent (no DOM in this package). */
function actions(html: string): ActionElement[] {
  const found: ActionElement[] = [];
  for (const match of html.matchAll(/<(code|pre)( class="dy-action"[^>]*)>([\s\S]*?)<\/\1>/g)) {
    const [, tag = "", rawAttributes = "", inner = ""] = match;
    const attributes: Record<string, string> = {};
    for (const [, name = "", , value = ""] of rawAttributes.matchAll(/([\w-]+)(="([^"]*)")?/g)) {
      attributes[name] = value;
    }
    found.push({ tag, attributes, text: textContent(inner) });
  }
  return found;
}

function textContent(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

describe("renderMarkdown actions", () => {
  it("turns inline code followed by {{execute}} into a runnable element and drops the marker", () => {
    const html = renderMarkdown("Run `ps aux`{{execute}} now.");
    expect(html).toBe(
      '<p>Run <code class="dy-action" data-action="execute" data-terminal="1" data-host="1" role="button" ' +
        'tabindex="0" title="Run in terminal">ps aux</code> now.</p>\n',
    );
  });

  it("treats {{exec}} like {{execute}}", () => {
    const [action] = actions(renderMarkdown("`ls -lh`{{exec}}"));
    expect(action).toMatchObject({ tag: "code", text: "ls -lh", attributes: { "data-action": "execute" } });
  });

  it("carries terminal, host, interrupt, ctrl-seq and no-newline as attributes", () => {
    const html = renderMarkdown(
      "`top`{{execute T2}} `hostname`{{execute HOST2}} `whoami`{{exec interrupt}} `^C`{{execute ctrl-seq}} " +
        "`i`{{execute no-newline}}",
    );
    const found = actions(html);
    expect(found.map((a) => a.text)).toEqual(["top", "hostname", "whoami", "^C", "i"]);
    expect(found[0]?.attributes).toMatchObject({ "data-terminal": "2", "data-host": "1" });
    expect(found[1]?.attributes).toMatchObject({ "data-terminal": "1", "data-host": "2" });
    expect(found[2]?.attributes).toHaveProperty("data-interrupt");
    expect(found[3]?.attributes).toHaveProperty("data-ctrl-seq");
    expect(found[4]?.attributes).toHaveProperty("data-no-newline");
    expect(found[0]?.attributes).not.toHaveProperty("data-interrupt");
    expect(found[0]?.attributes).not.toHaveProperty("data-no-newline");
    expect(html).not.toContain("{{");
  });

  it("turns a fence closed by ```{{execute}} into a runnable block whose text has no trailing newline", () => {
    const html = renderMarkdown("Before\n\n```sh\nuname -r\npwd\n```{{execute}}\n\nAfter `x`\n");
    const [block] = actions(html);
    expect(block).toEqual({
      tag: "pre",
      text: "uname -r\npwd",
      attributes: {
        class: "dy-action",
        "data-action": "execute",
        "data-terminal": "1",
        "data-host": "1",
        role: "button",
        tabindex: "0",
        title: "Run in terminal",
      },
    });
    expect(html).toContain("<pre " + 'class="dy-action"');
    expect(html).toContain("<code>uname -r\npwd</code></pre>");
    expect(html).toContain("<p>After <code>x</code></p>");
    expect(html).not.toContain("{{");
  });

  it("reads modifiers on a closing fence, also with tildes and inside a list", () => {
    const html = renderMarkdown("1. Stop it:\n\n   ~~~\n   sleep 1\n   ~~~{{ exec T2  interrupt }}\n2. Next\n");
    const [block] = actions(html);
    expect(block).toMatchObject({ tag: "pre", text: "sleep 1" });
    expect(block?.attributes).toMatchObject({ "data-terminal": "2", "data-interrupt": "" });
    expect(html).toMatch(/<li>\s*(<p>)?Next/);
  });

  it("marks copy and open with their own titles", () => {
    const found = actions(renderMarkdown("`docker`{{copy}} `/root/app.js`{{open}}\n\n```\na\nb\n```{{copy}}\n"));
    expect(found.map((a) => [a.tag, a.attributes["data-action"], a.attributes.title, a.text])).toEqual([
      ["code", "copy", "Copy to clipboard", "docker"],
      ["code", "open", "Open in editor", "/root/app.js"],
      ["pre", "copy", "Copy to clipboard", "a\nb"],
    ]);
    expect(found[0]?.attributes).not.toHaveProperty("data-terminal");
  });

  it("leaves Go template braces inside and after commands alone", () => {
    const md = "`kubectl get pods -o go-template='{{range .items}}{{.metadata.name}}{{end}}'`{{execute}}";
    const [action] = actions(renderMarkdown(md));
    expect(action?.text).toBe("kubectl get pods -o go-template='{{range .items}}{{.metadata.name}}{{end}}'");

    const after = renderMarkdown("`echo`{{range .items}} and text {{execute}}");
    expect(actions(after)).toEqual([]);
    expect(after).toContain("{{range .items}}");
    expect(after).toContain("{{execute}}");
  });

  it("does not treat a closing fence with a non-action marker as closing", () => {
    const html = renderMarkdown("```\n{{range .items}}\n```{{range}}\nstill code\n```\n");
    expect(actions(html)).toEqual([]);
    expect(textContent(html)).toContain("{{range .items}}\n```{{range}}\nstill code");
  });

  it("only takes a marker directly after the code", () => {
    const html = renderMarkdown("`ls` {{execute}}");
    expect(actions(html)).toEqual([]);
    expect(html).toContain("{{execute}}");
  });

  it("escapes HTML in commands and keeps it as text", () => {
    const [action] = actions(renderMarkdown('`echo "<b>&</b>" > /tmp/x`{{execute}}'));
    expect(action?.text).toBe('echo "<b>&</b>" > /tmp/x');
  });

  it("leaves markers inside raw <pre> blocks as text (authors documenting the syntax)", () => {
    const html = renderMarkdown('<pre>`echo "hi"`{{execute}}</pre>\n');
    expect(actions(html)).toEqual([]);
    expect(html).toContain("{{execute}}");
  });

  it("drops Killercoda's {{}} (copy disabled) without making an action", () => {
    const html = renderMarkdown("`copying disabled`{{}}");
    expect(actions(html)).toEqual([]);
    expect(html).not.toContain("{{");
    expect(textContent(html)).toBe("copying disabled\n");
  });
});

describe("renderMarkdown sanitising", () => {
  it("removes script and style elements with their content", () => {
    const html = renderMarkdown("Hi\n\n<script>alert(1)</script>\n\n<style>body{display:none}</style>\n\ntext");
    expect(html).not.toMatch(/<script|alert\(1\)|<style|display:none/);
    expect(html).toContain("<p>text</p>");
  });

  it("removes event handlers but keeps the image", () => {
    const html = renderMarkdown('<img src="assets/diagram.png" onerror="alert(1)" alt="diagram">');
    expect(html).toContain('<img src="assets/diagram.png" alt="diagram" />');
    expect(html).not.toContain("onerror");
    expect(html).not.toContain("alert");
  });

  it("removes javascript: and data: URLs", () => {
    const html = renderMarkdown(
      '<a href="javascript:alert(1)">a</a> <a href=" JaVaScRiPt:alert(2)">b</a> [c](javascript:alert(3)) ' +
        '<img src="data:image/png;base64,AAAA"> <a href="data:text/html,<script>x</script>">d</a>',
    );
    expect(html).not.toMatch(/(href|src)="\s*(javascript|data):/i);
    expect(html).toBe("<p><a>a</a> <a>b</a> [c](javascript:alert(3)) <img /> <a>d</a></p>\n");
  });

  it("strips iframes and forms", () => {
    const html = renderMarkdown('<iframe src="https://evil.example"></iframe><form action="/x"><input></form>');
    expect(html).not.toMatch(/<iframe|<form|<input/);
  });

  it("keeps details/summary solutions and common formatting", () => {
    const html = renderMarkdown(
      "<details><summary>Solution</summary>\n\n`kubectl create ns foo`{{exec}}\n\n</details>\n\n<kbd>Ctrl</kbd>",
    );
    expect(html).toContain("<details><summary>Solution</summary>");
    expect(html).toContain("</details>");
    expect(html).toContain("<kbd>Ctrl</kbd>");
    expect(actions(html)[0]?.text).toBe("kubectl create ns foo");
  });

  it("keeps the attributes of file blocks, including values with > and quotes", () => {
    const html = renderMarkdown(
      '<pre class="file" data-filename="app.js" data-target="insert" data-marker="// a > b &quot;x&quot;">' +
        "console.log(1);</pre>",
    );
    expect(html).toContain('class="file dy-action"');
    expect(html).toContain('data-filename="app.js"');
    expect(html).toContain('data-target="insert"');
    expect(html).toContain('data-marker="// a &gt; b &quot;x&quot;"');
    expect(html).toContain("console.log(1);</pre>");
  });

  it("opens absolute links in a new tab without an opener, and leaves relative links alone", () => {
    const html = renderMarkdown('[docs](https://docs.docker.com) [local](./step2.md) <a href="/x" target="_top">x</a>');
    expect(html).toContain('<a href="https://docs.docker.com" rel="noopener noreferrer" target="_blank">docs</a>');
    expect(html).toContain('<a href="./step2.md">local</a>');
    expect(html).toContain('<a href="/x">x</a>');
  });

  it("linkifies bare URLs", () => {
    expect(renderMarkdown("See https://example.com/page")).toContain(
      '<a href="https://example.com/page" rel="noopener noreferrer" target="_blank">https://example.com/page</a>',
    );
  });

  it("keeps tables", () => {
    const html = renderMarkdown("| a | b |\n|:-|-:|\n| 1 | 2 |\n");
    expect(html).toContain("<table>");
    expect(html).toContain('<td style="text-align:right">2</td>');
  });
});

describe("renderMarkdown heading offset", () => {
  it("nests lesson headings under the page's own", () => {
    expect(renderMarkdown("# Title\n\n## Part", { headingOffset: 2 })).toBe("<h3>Title</h3>\n<h4>Part</h4>\n");
    expect(renderMarkdown("###### Deep", { headingOffset: 2 })).toBe("<h6>Deep</h6>\n");
    expect(renderMarkdown("# Title")).toBe("<h1>Title</h1>\n");
  });
});

describe("renderMarkdown classes", () => {
  it("keeps action and language classes but drops the app's own", () => {
    const html = renderMarkdown('<div class="fixed inset-0 z-50 dy-note">x</div>\n\n```js\nlet a;\n```');
    expect(html).toContain('class="dy-note"');
    expect(html).not.toMatch(/fixed|inset-0|z-50/);
    expect(html).toContain('class="language-js"');
  });
});

describe("renderMarkdown file blocks", () => {
  it("makes a named file block an action and keeps its attributes", () => {
    const html = renderMarkdown('<pre class="file" data-filename="app.js" data-target="append">console.log(1)\n</pre>');
    expect(html).toContain('data-action="file"');
    expect(html).toContain('data-filename="app.js"');
    expect(html).toContain('data-target="append"');
    expect(html).toContain('role="button"');
  });

  it("leaves a file block without a name as plain text, and makes a clipboard block a copy action", () => {
    expect(renderMarkdown('<pre class="file">"a": 1\n</pre>')).not.toContain("data-action");
    expect(renderMarkdown('<pre class="file" data-target="clipboard">x</pre>')).toContain('data-action="copy"');
  });

  it("does not let raw HTML fake another action kind on a file block", () => {
    const html = renderMarkdown('<pre class="file" data-filename="a" data-action="execute">rm -rf /</pre>');
    expect(html).not.toContain('data-action="file"');
  });
});

describe("renderMarkdown images", () => {
  const imageUrl = (p: string) => `/img?path=${encodeURIComponent(p)}`;

  it("serves relative images from the scenario, relative to the markdown file", () => {
    const html = renderMarkdown('![a](./yellow.png) ![b](../../assets/logo.png) <img src="green.png">', {
      imageUrl,
      textFile: "step2/images.md",
    });
    expect(html).toContain('src="/img?path=step2%2Fyellow.png"');
    expect(html).toContain('src="/img?path=..%2Fassets%2Flogo.png"');
    expect(html).toContain('src="/img?path=step2%2Fgreen.png"');
  });

  it("leaves absolute images alone and still drops unsafe ones", () => {
    const html = renderMarkdown('![a](https://example.com/a.png) <img src="javascript:alert(1)">', { imageUrl });
    expect(html).toContain('src="https://example.com/a.png"');
    expect(html).not.toContain("javascript:");
  });

  it("reads a heading whose hashes are followed by a no-break space, as Katacoda did, but not inside code", () => {
    expect(renderMarkdown("#\u00a0Index.json\n\ntext")).toMatch(/<h1[^>]*>Index.json<\/h1>/);
    expect(renderMarkdown("```\n#\u00a0comment\n```")).not.toMatch(/<h1/);
  });
});
