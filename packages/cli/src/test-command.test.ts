import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { runTest } from "./test-command.ts";

// `dockyard test` against the real Docker engine, over the bundled scenarios and unchanged public examples.
const REPO = resolve(import.meta.dirname, "../../..");
const COMPAT = join(REPO, "packages/scenario/fixtures/compat");
const work = mkdtempSync(join(tmpdir(), "dockyard-cli-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(args: string[]) {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await runTest(args);
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

/** A copy of a fixture with Dockyard `solve` scripts added: tests copy what they change. */
function withSolves(fixture: string, solves: string[]): string {
  const dir = join(work, fixture.replace(/\//g, "_"));
  cpSync(join(COMPAT, fixture), dir, { recursive: true });
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  solves.forEach((script, i) => {
    writeFileSync(join(dir, `dockyard-solve-${i + 1}.sh`), script);
    index.details.steps[i].solve = `dockyard-solve-${i + 1}.sh`;
  });
  writeFileSync(join(dir, "index.json"), JSON.stringify(index, null, 2));
  return dir;
}

const leftovers = () =>
  execFileSync("docker", ["ps", "-aq", "--filter", "label=dockyard.instance=cli-test"], { encoding: "utf8" }).trim();

describe("dockyard test", () => {
  it("passes the bundled plain-Linux scenario: each verify fails first, then passes", async () => {
    const { code, out } = await run([join(REPO, "scenarios/container-basics")]);
    expect(out).toMatch(/✓ step 1/);
    expect(out).not.toMatch(/✗/);
    expect(code).toBe(0);
  });

  it.each([
    "killercoda-examples/foreground-background-scripts-multi-step",
    "killercoda-examples/learning-linux/linux-files-introduction",
    "killercoda-examples/code-actions",
    "killercoda-examples/code-snippets",
    "killercoda-examples/upload-assets",
    "katacoda-examples/verified-steps",
    "katacoda-examples/run-commands-automatically",
    "katacoda-examples/upload-assets",
    "katacoda-examples/writing-files",
  ])("passes the unchanged example %s", async (fixture) => {
    const { code, out } = await run(["--lenient", join(COMPAT, fixture)]);
    expect(out).not.toMatch(/✗/);
    expect(code).toBe(0);
  });

  it("passes examples whose steps have no commands once a solve is added beside them", async () => {
    const verification = withSolves("killercoda-examples/verification", ["touch /etc/panda"]);
    const challenge = withSolves("katacoda-examples/challenges/challenge-hello-world", [
      "touch /root/bananas.txt",
      "touch /root/apples.txt",
    ]);
    for (const dir of [verification, challenge]) {
      const { code, out } = await run(["--strict", dir]);
      expect(out).not.toMatch(/✗/);
      expect(code).toBe(0);
    }
  });

  it("fails a step whose check fails, and reports it as JSON and JUnit", async () => {
    const dir = join(work, "failing");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify({
        title: "Failing",
        details: {
          steps: [
            { title: "Good", text: "good.md", verify: "good.sh" },
            { title: "Bad", text: "bad.md", verify: "bad.sh" },
          ],
        },
      }),
    );
    writeFileSync(join(dir, "good.md"), "`touch /root/ok`{{execute}}");
    writeFileSync(join(dir, "good.sh"), "test -f /root/ok");
    writeFileSync(join(dir, "bad.md"), "Nothing to run.");
    writeFileSync(join(dir, "bad.sh"), 'echo "FAIL: /root/never is missing"; test -f /root/never');
    const junit = join(work, "report.xml");
    const { code, out } = await run(["--json", "--junit", junit, dir]);
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report.failedSteps).toBe(1);
    expect(report.scenarios[0].steps.map((s: { ok: boolean }) => s.ok)).toEqual([true, false]);
    expect(report.scenarios[0].steps[1].message).toBe("/root/never is missing");
    expect(readFileSync(junit, "utf8")).toMatch(/<failure message="\/root\/never is missing"\/>/);
  });

  it("fills placeholders in commands and checks with this sandbox's values, and writes /etc/killercoda/host", async () => {
    const dir = join(work, "placeholders");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify({ title: "Placeholders", details: { steps: [{ title: "IP", text: "ip.md", verify: "ip.sh" }] } }),
    );
    writeFileSync(
      join(dir, "ip.md"),
      "`echo [[HOST_IP]] > /root/ip; echo {{TRAFFIC_HOST1_80}} > /root/url`{{execute}}",
    );
    writeFileSync(
      join(dir, "ip.sh"),
      [
        'hostname -I | grep -qw "$(cat /root/ip)"',
        'grep -qx "[[HOST_IP]]" /root/ip',
        'grep -Eq "^http://t-[0-9a-f]+-80\\.localhost/$" /root/url',
        'grep -q "^http://t-[0-9a-f]*-PORT" /etc/killercoda/host',
      ].join(" && "),
    );
    const { code, out } = await run(["--json", dir]);
    expect(JSON.parse(out).scenarios[0].steps[0]).toMatchObject({ ok: true });
    expect(code).toBe(0);
  });

  it("applies file blocks in place, at the end, and at a marker with its indentation", async () => {
    const dir = join(work, "files");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify({ title: "Files", details: { steps: [{ title: "Write", text: "s.md", verify: "v.sh" }] } }),
    );
    writeFileSync(
      join(dir, "s.md"),
      [
        '<pre class="file" data-filename="app/main.js" data-target="replace">',
        "function main() {",
        "  // TODO",
        "}",
        "</pre>",
        "",
        '<pre class="file" data-filename="app/main.js" data-target="insert" data-marker="// TODO">',
        'console.log("a > b");',
        "return 1;",
        "</pre>",
        "",
        '<pre class="file" data-filename="app/main.js" data-target="append">main();',
        "</pre>",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "v.sh"),
      `expected='function main() {
  console.log("a > b");
  return 1;
}
main();'
` + `[ "$(cat /root/app/main.js)" = "$expected" ] || { echo "FAIL: got $(cat /root/app/main.js)"; exit 1; }`,
    );
    const { code, out } = await run([dir]);
    expect(out).not.toMatch(/✗/);
    expect(code).toBe(0);
  });

  it("catches a verify that passes on an untouched sandbox, unless --lenient", async () => {
    const dir = join(work, "lenient");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "index.json"),
      JSON.stringify({ title: "Lenient", details: { steps: [{ title: "Always", text: "s.md", verify: "v.sh" }] } }),
    );
    writeFileSync(join(dir, "s.md"), "`true`{{execute}}");
    writeFileSync(join(dir, "v.sh"), "exit 0");
    expect((await run(["--lenient", dir])).code).toBe(0);
    const strict = await run([dir]);
    expect(strict.code).toBe(1);
    expect(strict.out).toMatch(/verify passes before the step is done/);
  });

  it("refuses a path that is not a directory, and leaves no sandbox behind", async () => {
    expect((await run([join(work, "missing")])).code).toBe(2);
    expect(leftovers()).toBe("");
  });
});
