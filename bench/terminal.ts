// The terminal gateway against a client attached directly to the same containers through a dockerode exec stream
// (the baseline, measured in the same run): keystroke echo latency with 1 and with 100 active terminals, `cat` of a
// 100 MB file to a client that acknowledges as xterm.js does, and the gateway's memory per idle terminal and under
// 60 s of `yes`.
// Run: npm run bench:terminal   (node --import tsx bench/terminal.ts [seconds per latency phase] [seconds of yes])
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { createInterface } from "node:readline";
import { type SocketLike, TerminalClient } from "@dockyard/protocol";
import { DockerDriver, type TerminalStream } from "@dockyard/sandbox";
import { mintTerminalToken } from "@dockyard/token";
import WebSocket from "ws";

const SECRET = randomBytes(24).toString("hex");
const IMAGE = "dockyard/sandbox:latest";
const phaseSeconds = Number(process.argv[2] ?? 15);
const yesSeconds = Number(process.argv[3] ?? 60);
const driver = new DockerDriver({ instance: "bench-terminal" });
/** The gateway allows 8 terminals per session: 100 terminals need 13 sessions. */
const SESSIONS = 13;
const sessions = Array.from(
  { length: SESSIONS },
  (_, i) => `s-bench${i.toString().padStart(2, "0")}${randomBytes(4).toString("hex")}`,
);

interface Gateway {
  child: ChildProcess;
  publicPort: number;
  internalPort: number;
}

async function startGateway(): Promise<Gateway> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/lib/gateway-child.ts", SECRET], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const line = await new Promise<string>((done, fail) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", done);
    child.once("exit", (code) => fail(new Error(`the gateway exited (${code})`)));
  });
  return { child, ...(JSON.parse(line) as { publicPort: number; internalPort: number }) };
}

const rssMiB = (pid: number) => {
  const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return kb / 1024;
};

/** One terminal, whichever way it is attached: bytes in, bytes out. */
interface Line {
  write(text: string): void;
  onOutput(listener: (chunk: Buffer) => void): void;
  close(): void;
}

async function direct(sessionId: string): Promise<Line> {
  const opened = await driver.openTerminal({ sessionId, host: "host01", cols: 120, rows: 40 });
  if (!opened.ok) throw new Error(opened.error.message);
  const terminal: TerminalStream = opened.value;
  return {
    write: (text) => terminal.write(text),
    onOutput: (listener) => terminal.onData(listener),
    close: () => terminal.dispose(),
  };
}

async function viaGateway(gateway: Gateway, sessionId: string): Promise<Line> {
  const listeners: ((chunk: Buffer) => void)[] = [];
  const base = `ws://127.0.0.1:${gateway.publicPort}`;
  let ready!: () => void;
  const isReady = new Promise<void>((done) => {
    ready = done;
  });
  const client = new TerminalClient({
    dial: async (resume) => {
      const token = mintTerminalToken({ sub: "bench", sid: sessionId, host: "host01", mode: "write" }, SECRET);
      const url = `${base}/terminal?token=${token}&cols=120&rows=40&client=${resume.client}&received=${resume.received}`;
      return {
        ok: true,
        socket: new WebSocket(url, { headers: { origin: "http://127.0.0.1" } }) as unknown as SocketLike,
      };
    },
    // As xterm.js: the write callback fires once the chunk is processed (here: on the next turn).
    write: (bytes, done) => {
      const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (const listener of listeners) listener(chunk);
      setImmediate(done);
    },
    onMessage: (message) => {
      if (message.type === "ready") ready();
    },
  });
  client.start();
  await isReady;
  return {
    write: (text) => client.input(text),
    onOutput: (listener) => listeners.push(listener),
    close: () => client.dispose(),
  };
}

/** Turns a shell into an echo server: raw mode, no tty echo, `cat` sends each byte straight back. */
async function makeEcho(line: Line): Promise<(byte: string) => Promise<number>> {
  let waiting: { byte: string; started: number; done: (ms: number) => void } | null = null;
  let seen = "";
  line.onOutput((chunk) => {
    seen = (seen + chunk.toString("latin1")).slice(-64);
    if (waiting && chunk.includes(waiting.byte)) {
      const w = waiting;
      waiting = null;
      w.done(performance.now() - w.started);
    }
  });
  line.write("stty raw -echo; echo READY-$((6*7)); exec cat\r");
  for (let i = 0; i < 500 && !seen.includes("READY-42"); i++) await new Promise((r) => setTimeout(r, 10));
  if (!seen.includes("READY-42")) throw new Error("the echo shell did not start");
  await new Promise((r) => setTimeout(r, 200));
  return (byte) =>
    new Promise<number>((done) => {
      waiting = { byte, started: performance.now(), done };
      line.write(byte);
    });
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** `count` terminals, each typing a key every 20-80 ms for `seconds`, every echo timed. */
async function echoLatency(open: (sessionId: string) => Promise<Line>, count: number, seconds: number) {
  const lines = await Promise.all(Array.from({ length: count }, (_, i) => open(sessions[i % SESSIONS] as string)));
  const echoes = await Promise.all(lines.map(makeEcho));
  const samples: number[] = [];
  const until = performance.now() + seconds * 1000;
  const keys = "abcdefghijklmnopqrstuvwxyz";
  await Promise.all(
    echoes.map(async (echo, i) => {
      let k = i;
      while (performance.now() < until) {
        samples.push(await echo(keys[k++ % keys.length] as string));
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 60));
      }
    }),
  );
  for (const line of lines) line.close();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), n: samples.length };
}

/** `cat` of the 100 MB file until its last line: MB/s. */
async function throughput(open: (sessionId: string) => Promise<Line>) {
  const line = await open(sessions[0] as string);
  let bytes = 0;
  let tail = "";
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  await new Promise((r) => setTimeout(r, 500));
  line.onOutput((chunk) => {
    bytes += chunk.length;
    tail = (tail + chunk.toString("latin1")).slice(-200);
    if (tail.includes("CAT-DONE-42")) finished();
  });
  const started = performance.now();
  line.write("cat /tmp/big.txt; echo CAT-DONE-$((6*7))\r");
  await done;
  const seconds = (performance.now() - started) / 1000;
  line.close();
  return { mbps: bytes / 1e6 / seconds, bytes };
}

async function main() {
  console.log(`terminal bench: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`);
  for (const sessionId of sessions) {
    const made = await driver.createSession(
      { sessionId, userId: "bench", scenario: "bench", hosts: [{ name: "host01", image: IMAGE }] },
      () => undefined,
    );
    if (!made.ok) throw new Error(made.error.message);
  }
  const big = await driver.runScript({
    sessionId: sessions[0] as string,
    host: "host01",
    script: "head -c 75000000 /dev/urandom | base64 -w 76 > /tmp/big.txt && stat -c %s /tmp/big.txt",
    timeoutMs: 120_000,
    env: {},
  });
  if (!big.ok) throw new Error(big.error.message);
  const gateway = await startGateway();
  const through = (sessionId: string) => viaGateway(gateway, sessionId);
  try {
    const rows: string[] = [];
    for (const count of [1, 100]) {
      const base = await echoLatency(direct, count, phaseSeconds);
      const gw = await echoLatency(through, count, phaseSeconds);
      rows.push(
        `| echo, ${count} terminal${count > 1 ? "s" : ""} | ${base.p50.toFixed(2)} / ${base.p99.toFixed(2)} | ${gw.p50.toFixed(2)} / ${gw.p99.toFixed(2)} | +${(gw.p50 - base.p50).toFixed(2)} / +${(gw.p99 - base.p99).toFixed(2)} | ${base.n} / ${gw.n} |`,
      );
      console.log(rows.at(-1));
    }
    const catRows: { base: number; gw: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const base = await throughput(direct);
      const gw = await throughput(through);
      catRows.push({ base: base.mbps, gw: gw.mbps });
      console.log(`cat round ${round + 1}: direct ${base.mbps.toFixed(1)} MB/s, gateway ${gw.mbps.toFixed(1)} MB/s`);
    }
    const median = (xs: number[]) => percentile(xs, 50);
    const catBase = median(catRows.map((r) => r.base));
    const catGw = median(catRows.map((r) => r.gw));
    rows.push(
      `| cat 100 MB (MB/s, median of 3) | ${catBase.toFixed(1)} | ${catGw.toFixed(1)} | ${((catGw / catBase) * 100).toFixed(0)}% of direct | ${(Number(big.value.stdout.trim()) / 1e6).toFixed(0)} MB |`,
    );

    // Memory: the gateway process's resident set, before and with 100 idle terminals, and under `yes`.
    const pid = gateway.child.pid as number;
    await new Promise((r) => setTimeout(r, 2000));
    const idleBefore = rssMiB(pid);
    const idle = await Promise.all(Array.from({ length: 100 }, (_, i) => through(sessions[i % SESSIONS] as string)));
    await new Promise((r) => setTimeout(r, 3000));
    const idleWith = rssMiB(pid);
    for (const line of idle) line.close();
    await new Promise((r) => setTimeout(r, 3000));
    const yesResults: string[] = [];
    for (const acking of [true, false]) {
      const before = rssMiB(pid);
      let peak = before;
      let bytes = 0;
      let stop: () => void = () => undefined;
      if (acking) {
        const line = await through(sessions[1] as string);
        line.onOutput((chunk) => {
          bytes += chunk.length;
        });
        line.write("yes\r");
        stop = () => line.close();
      } else {
        // A client that never acknowledges: the gateway must hold at most one window.
        const token = mintTerminalToken(
          { sub: "bench", sid: sessions[2] as string, host: "host01", mode: "write" },
          SECRET,
        );
        const ws = new WebSocket(`ws://127.0.0.1:${gateway.publicPort}/terminal?token=${token}&client=stalled-client`, {
          headers: { origin: "http://127.0.0.1" },
        });
        ws.on("message", (data, binary) => {
          if (binary) bytes += (data as Buffer).length;
        });
        await new Promise((r) => ws.once("open", r));
        ws.send(JSON.stringify({ type: "input", seq: 1, data: "yes\r" }));
        stop = () => ws.close();
      }
      const ends = performance.now() + yesSeconds * 1000;
      while (performance.now() < ends) {
        await new Promise((r) => setTimeout(r, 1000));
        peak = Math.max(peak, rssMiB(pid));
      }
      stop();
      yesResults.push(
        `| ${yesSeconds} s of \`yes\`, ${acking ? "client acknowledging" : "client never acknowledging"} | ${before.toFixed(1)} MiB | peak ${peak.toFixed(1)} MiB | +${(peak - before).toFixed(1)} MiB | ${(bytes / 1e6).toFixed(0)} MB delivered |`,
      );
      console.log(yesResults.at(-1));
      await new Promise((r) => setTimeout(r, 3000));
    }
    console.log("\n| measure | direct p50 / p99 ms | gateway p50 / p99 ms | gateway adds | samples |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const row of rows) console.log(row);
    console.log("\n| gateway memory | before | with | growth | note |");
    console.log("| --- | ---: | ---: | ---: | --- |");
    console.log(
      `| 100 idle terminals | ${idleBefore.toFixed(1)} MiB | ${idleWith.toFixed(1)} MiB | ${(((idleWith - idleBefore) * 1024) / 100).toFixed(0)} KiB per terminal | |`,
    );
    for (const row of yesResults) console.log(row);
  } finally {
    gateway.child.kill("SIGTERM");
    await Promise.all(sessions.map((id) => driver.removeSession(id)));
  }
}

await main();
