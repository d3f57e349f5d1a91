import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadCatalog } from "./load-catalog.ts";

const REPO = path.resolve(import.meta.dirname, "../../../..");

describe("loadCatalog", () => {
  const root = mkdtempSync(path.join(tmpdir(), "dockyard-catalog-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const scenario = (slug: string, index: string, files: Record<string, string> = {}) => {
    mkdirSync(path.join(root, slug));
    writeFileSync(path.join(root, slug, "index.json"), index);
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, slug, name), text);
  };

  it("loads each subdirectory with an index.json, sorted by title, and lists the broken ones", async () => {
    scenario("zeta", JSON.stringify({ title: "Alpha", details: { steps: [{ text: "a.md" }] } }), { "a.md": "# A" });
    scenario("alpha", JSON.stringify({ title: "Beta" }));
    scenario("broken", '{ "title": "Broken", }');
    mkdirSync(path.join(root, "notes"));
    writeFileSync(path.join(root, "notes", "readme.md"), "not a scenario");
    writeFileSync(path.join(root, "index.json"), "{}");

    const catalog = await loadCatalog(root);
    expect(catalog.scenarios.map((s) => [s.slug, s.title])).toEqual([
      ["zeta", "Alpha"],
      ["alpha", "Beta"],
    ]);
    expect(catalog.problems).toEqual([
      {
        slug: "broken",
        issues: [expect.objectContaining({ file: "index.json", severity: "error", line: 1, column: 20 })],
      },
    ]);
  });

  it("returns an empty catalog for a missing root", async () => {
    expect(await loadCatalog(path.join(root, "nope"))).toEqual({ scenarios: [], problems: [] });
  });

  it("loads the bundled scenarios without problems", async () => {
    const catalog = await loadCatalog(path.join(REPO, "scenarios"));
    expect(catalog.problems).toEqual([]);
    expect(catalog.scenarios.map((s) => s.slug)).toContain("container-basics");
  });
});
