// Measures how fast a learner gets a sandbox, against a baseline measured in the same run:
//   baseline: `docker run --rm <image> true` through the Docker CLI (create, start, exit, remove);
//   create:   DockerDriver.createSession until every host runs (network + container + start + inspect);
//   terminal: openTerminal until the shell's first output byte;
//   verify:   runScript of `true` (the round trip behind Check);
//   remove:   removeSession (Stop).
// Run: npm run bench   (node --import tsx bench/sandbox-start.ts [rounds])
import { execFile } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { promisify } from "node:util";
import { DockerDriver } from "@dockyard/sandbox";

const run = promisify(execFile);
const IMAGE = "dockyard/sandbox:latest";
const rounds = Number(process.argv[2] ?? 10);
const driver = new DockerDriver({ instance: "bench" });

const timings: Record<string, number[]> = { baseline: [], create: [], terminal: [], verify: [], remove: [] };
const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  const result = await fn();
  timings[name]?.push(performance.now() - started);
  return result;
};

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

for (let i = 0; i < rounds; i++) {
  await time("baseline", () => run("docker", ["run", "--rm", IMAGE, "true"]));
  const sessionId = `bench-${Date.now().toString(36)}-${i}`;
  await time("create", async () =>
    unwrap(
      await driver.createSession(
        { sessionId, userId: "bench", scenario: "bench", hosts: [{ name: "host01", image: IMAGE }] },
        () => undefined,
      ),
    ),
  );
  await time("terminal", async () => {
    const terminal = unwrap(await driver.openTerminal({ sessionId, host: "host01", cols: 80, rows: 24 }));
    await new Promise<void>((resolve) => terminal.onData(() => resolve()));
    terminal.dispose();
  });
  await time("verify", async () =>
    unwrap(await driver.runScript({ sessionId, host: "host01", script: "true", timeoutMs: 10_000, env: {} })),
  );
  await time("remove", async () => unwrap(await driver.removeSession(sessionId)));
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const docker = unwrap(await driver.ping()).version;
console.log(
  `\nMachine: ${cpus().length} × ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 2 ** 30)} GiB; Docker ${docker}; Node ${process.version}; ${rounds} rounds; ${new Date().toISOString().slice(0, 10)}\n`,
);
console.log("| measure | median ms | p90 ms | min ms |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name, values] of Object.entries(timings)) {
  const fmt = (n: number) => n.toFixed(0);
  console.log(
    `| ${name} | ${fmt(percentile(values, 50))} | ${fmt(percentile(values, 90))} | ${fmt(Math.min(...values))} |`,
  );
}
