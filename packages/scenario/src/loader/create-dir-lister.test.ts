import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createDirLister } from "./create-dir-lister.ts";

describe("createDirLister", () => {
  const root = mkdtempSync(path.join(tmpdir(), "dockyard-lister-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text = "") => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };

  write("outside.txt", "secret");
  write("lab/index.json", "{}");
  write("lab/step1.md");
  write("lab/assets/run.sh");
  write("lab/assets/app/config.json");
  write("lab/node_modules/dep/index.js");
  symlinkSync(path.join(root, "outside.txt"), path.join(root, "lab/assets/leak.txt"));
  symlinkSync(path.join(root, "lab/assets/run.sh"), path.join(root, "lab/assets/alias.sh"));
  symlinkSync(path.join(root, "lab"), path.join(root, "lab/assets/loop"));
  const list = createDirLister(path.join(root, "lab"));

  it("lists files recursively, relative to the folder asked for", () => {
    expect(list("assets")).toEqual(["alias.sh", "app/config.json", "run.sh"]);
    expect(list(".")).toEqual(["assets/alias.sh", "assets/app/config.json", "assets/run.sh", "index.json", "step1.md"]);
  });

  it("answers undefined for a missing folder, a file, or a path climbing out", () => {
    expect(list("nope")).toBeUndefined();
    expect(list("step1.md")).toBeUndefined();
    expect(list("..")).toBeUndefined();
    expect(list(path.join(root, "lab"))).toBeUndefined();
  });
});
