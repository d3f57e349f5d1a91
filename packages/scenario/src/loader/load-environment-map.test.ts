import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveEnvironment } from "../environments.ts";
import { loadEnvironmentMap } from "./load-environment-map.ts";

const dir = mkdtempSync(join(tmpdir(), "dockyard-env-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("loadEnvironmentMap", () => {
  it("is the built-in map without a file, and the file over it with one", () => {
    expect(resolveEnvironment("ubuntu", loadEnvironmentMap(undefined, "img:1")).hosts[0]?.image).toBe("img:1");
    const file = join(dir, "environments.json");
    writeFileSync(
      file,
      JSON.stringify({ environments: { "python:3.8": { hosts: [{ name: "host01", image: "py" }] } } }),
    );
    const map = loadEnvironmentMap(file, "img:1");
    expect(resolveEnvironment("python:3.8", map)).toMatchObject({ exact: true, hosts: [{ image: "py" }] });
    expect(resolveEnvironment("ubuntu", map).hosts[0]?.image).toBe("img:1");
  });

  it("names the file and the problem when it is missing or wrong", () => {
    expect(() => loadEnvironmentMap(join(dir, "missing.json"))).toThrow(/missing\.json cannot be read: ENOENT/);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ environments: { x: { hosts: [{ name: "host01" }] } } }));
    expect(() => loadEnvironmentMap(bad)).toThrow(/bad\.json is wrong: environments\.x\.hosts\.0\.image/);
  });
});
