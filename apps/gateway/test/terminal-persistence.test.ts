import { randomBytes } from "node:crypto";
import { DockerDriver, type TerminalStream } from "@dockyard/sandbox";
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Named terminals live in tmux inside the sandbox: a connection can go and come back to the same shell.
const driver = new DockerDriver({ docker: new Docker(), instance: `tmux-${randomBytes(3).toString("hex")}` });
const sessionId = `s-${randomBytes(8).toString("hex")}`;

async function open(name?: string) {
  const opened = await driver.openTerminal({
    sessionId,
    host: "host01",
    cols: 100,
    rows: 30,
    ...(name ? { name } : {}),
  });
  if (!opened.ok) throw new Error(opened.error.message);
  let output = "";
  opened.value.onData((chunk) => {
    output += chunk.toString();
  });
  const waitFor = async (pattern: RegExp) => {
    for (let i = 0; i < 200 && !pattern.test(output); i++) await new Promise((r) => setTimeout(r, 25));
    expect(output).toMatch(pattern);
  };
  return { terminal: opened.value as TerminalStream, waitFor };
}

beforeAll(async () => {
  const made = await driver.createSession(
    { sessionId, userId: "tmux", scenario: "tmux", hosts: [{ name: "host01", image: "dockyard/sandbox:latest" }] },
    () => undefined,
  );
  if (!made.ok) throw new Error(made.error.message);
});

afterAll(async () => {
  await driver.removeSession(sessionId);
});

describe("terminals", () => {
  it("a named one keeps its shell (variables, a running job) when the connection goes and comes back", async () => {
    const first = await open("t1-1");
    await first.waitFor(/root@host01/);
    first.terminal.write("export MARK=kept-across; sleep 300 &\r");
    await first.waitFor(/\[1\] \d+/);
    first.terminal.dispose();
    await new Promise((r) => setTimeout(r, 300));

    const again = await open("t1-1");
    again.terminal.write("echo mark=$MARK jobs=$(jobs | wc -l)\r");
    await again.waitFor(/mark=kept-across jobs=1/);
    again.terminal.dispose();
  });

  it("an unnamed one ends with its connection", async () => {
    const first = await open();
    await first.waitFor(/root@host01/);
    first.terminal.write("export MARK=gone\r");
    first.terminal.dispose();
    const again = await open();
    await again.waitFor(/root@host01/);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, not a template
    again.terminal.write("echo mark=${MARK:-none}\r");
    await again.waitFor(/mark=none/);
    again.terminal.dispose();
  });
});
