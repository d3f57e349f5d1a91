// npm start: prepares what is missing, then runs the gateway and the web app until Ctrl+C.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { dataDir, prepare, root, say } from "./prepare.mjs";

const port = Number(process.env.PORT ?? 3000);
const gatewayPort = Number(process.env.GATEWAY_PORT ?? 3001);
const internalPort = Number(process.env.GATEWAY_INTERNAL_PORT ?? gatewayPort + 1);
const databaseUrl = process.env.DATABASE_URL ?? `file:${join(dataDir, "dockyard.db")}`;

let shared;
try {
  shared = prepare({ databaseUrl });
} catch (error) {
  console.error(`[dockyard] ${error.message}`);
  process.exit(1);
}

const env = {
  ...process.env,
  ...shared,
  NODE_ENV: "production",
  NEXT_TELEMETRY_DISABLED: "1",
  GATEWAY_PORT: String(gatewayPort),
  GATEWAY_INTERNAL_PORT: String(internalPort),
  GATEWAY_URL: `http://127.0.0.1:${internalPort}`,
  GATEWAY_PUBLIC_PORT: String(gatewayPort),
  WEB_PUBLIC_URL: process.env.WEB_PUBLIC_URL ?? `http://localhost:${port}`,
  SCENARIOS_DIR: process.env.SCENARIOS_DIR ?? join(root, "scenarios"),
};

const children = [
  spawn("node", ["--import", "tsx", "src/main.ts"], { cwd: join(root, "apps/gateway"), env, stdio: "inherit" }),
  spawn(join(root, "node_modules/.bin/next"), ["start", "-p", String(port)], {
    cwd: join(root, "apps/web"),
    env,
    stdio: "inherit",
  }),
];

let stopping = false;
const stop = (code) => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 3000).unref();
  Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on("exit", r))))).then(() =>
    process.exit(code),
  );
};
for (const child of children) {
  child.on("exit", (code) => {
    if (!stopping) {
      console.error(`[dockyard] a process exited (${code}); stopping`);
      stop(1);
    }
  });
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

async function waitFor(url, name) {
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not become ready at ${url}`);
}

try {
  await Promise.all([
    waitFor(`http://127.0.0.1:${gatewayPort}/healthz`, "the gateway"),
    waitFor(`http://127.0.0.1:${port}/api/health`, "the web app"),
  ]);
  say(`ready: http://localhost:${port}`);
} catch (error) {
  console.error(`[dockyard] ${error.message}`);
  stop(1);
}
