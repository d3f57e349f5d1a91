import { describe, expect, it } from "vitest";
import { matchAssetGlob } from "./match-asset-glob.ts";

// The layout of killercoda-examples/upload-assets/assets.
const FILES = [
  "run.sh",
  "conf.yaml",
  "app1/readme.md",
  "app1/config/app.json",
  "app1/config/config.yaml",
  "app1/etc/app/app.json",
  "app2/cnf/cnf.json",
];

describe("matchAssetGlob", () => {
  it("matches a plain file name exactly", () => {
    expect(matchAssetGlob("conf.yaml", FILES)).toEqual(["conf.yaml"]);
    expect(matchAssetGlob("./conf.yaml", FILES)).toEqual(["conf.yaml"]);
    expect(matchAssetGlob("conf.yml", FILES)).toEqual([]);
    expect(matchAssetGlob("conf?yaml", FILES)).toEqual(["conf.yaml"]);
    expect(matchAssetGlob("conf.yam", FILES)).toEqual([]);
  });

  it("keeps * inside a directory and lets ** span directories", () => {
    expect(matchAssetGlob("app1/*/*.json", FILES)).toEqual(["app1/config/app.json"]);
    expect(matchAssetGlob("app1/**/*.json", FILES)).toEqual(["app1/config/app.json", "app1/etc/app/app.json"]);
    expect(matchAssetGlob("**/*.json", FILES)).toEqual([
      "app1/config/app.json",
      "app1/etc/app/app.json",
      "app2/cnf/cnf.json",
    ]);
    expect(matchAssetGlob("*.sh", FILES)).toEqual(["run.sh"]);
    expect(matchAssetGlob("**", FILES)).toEqual(FILES);
    expect(matchAssetGlob("app*/*.*", FILES)).toEqual(["app1/readme.md"]);
    expect(matchAssetGlob("*.txt", FILES)).toEqual([]);
  });

  it("matches files only: a directory needs a glob", () => {
    expect(matchAssetGlob("app2", FILES)).toEqual([]);
    expect(matchAssetGlob("app2/**", FILES)).toEqual(["app2/cnf/cnf.json"]);
    expect(matchAssetGlob("app2/", FILES)).toEqual([]);
  });

  it("treats regex characters literally", () => {
    expect(matchAssetGlob("run(1).sh", ["run(1).sh", "run1.sh"])).toEqual(["run(1).sh"]);
    expect(matchAssetGlob("a+b", ["a+b", "aab"])).toEqual(["a+b"]);
  });
});
