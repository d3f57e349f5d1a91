import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type FileBlock, fileBlockScript } from "../file-block-script.ts";

// The script is plain bash and perl (both in every Debian image); it is exercised here in a scratch folder and in
// a real sandbox by the CLI's integration tests.
const dir = mkdtempSync(join(tmpdir(), "dockyard-file-block-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function apply(block: FileBlock): { code: number; stderr: string } {
  const { script, env } = fileBlockScript(block, dir);
  try {
    execFileSync("bash", ["-c", script], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    return { code: 0, stderr: "" };
  } catch (error) {
    const e = error as { status: number; stderr: Buffer };
    return { code: e.status, stderr: e.stderr.toString() };
  }
}

describe("fileBlockScript", () => {
  it("replaces, appends and prepends, keeping the file's mode", () => {
    expect(apply({ filename: "sub/run.sh", target: "replace", content: "echo two\n" }).code).toBe(0);
    chmodSync(join(dir, "sub/run.sh"), 0o755);
    apply({ filename: "sub/run.sh", target: "append", content: "echo three\n" });
    apply({ filename: "sub/run.sh", target: "prepend", content: "#!/bin/sh\n" });
    expect(readFileSync(join(dir, "sub/run.sh"), "utf8")).toBe("#!/bin/sh\necho two\necho three\n");
    expect(statSync(join(dir, "sub/run.sh")).mode & 0o777).toBe(0o755);
  });

  it("inserts at a marker with its indentation, and takes content literally", () => {
    writeFileSync(join(dir, "app.js"), "function main() {\n    // TODO\n}\n");
    const content = 'const s = "$(rm -rf /) `x` \\\\ $HOME";\nreturn s;\n';
    expect(apply({ filename: "app.js", target: "insert", marker: "// TODO", content }).code).toBe(0);
    expect(readFileSync(join(dir, "app.js"), "utf8")).toBe(
      'function main() {\n    const s = "$(rm -rf /) `x` \\\\ $HOME";\n    return s;\n}\n',
    );
  });

  it("fails clearly, changing nothing, when the marker is missing or empty", () => {
    writeFileSync(join(dir, "b.txt"), "a // TODO in the middle\n");
    const missing = apply({ filename: "b.txt", target: "insert", marker: "// TODO", content: "x" });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/FAIL: b.txt has no line starting with the marker/);
    expect(readFileSync(join(dir, "b.txt"), "utf8")).toBe("a // TODO in the middle\n");
    expect(apply({ filename: "b.txt", target: "insert", content: "x" }).stderr).toMatch(/needs a marker/);
  });
});
