import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { mintTerminalToken } from "@dockyard/token";
import { expect, type Page, test } from "@playwright/test";
import WebSocket from "ws";

// An instructor looks into an attendee's terminal. The staff pages that mint watcher tokens come with roles (issue
// 6); here the test mints one with the installation's secret, as the web app will, and connects as the watcher.

const port = Number(process.env.E2E_PORT ?? 3100);
const secret = () => readFileSync(".dockyard/secret", "utf8").trim();

const rows = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

function watch(sessionId: string) {
  const token = mintTerminalToken(
    { sub: "teacher-1", sid: sessionId, host: "host01", mode: "write", as: "instructor", who: "Ada Lovelace" },
    secret(),
  );
  const ws = new WebSocket(
    `ws://localhost:${port + 1}/terminal?token=${token}&name=t1-1&client=watch-${randomBytes(6).toString("hex")}`,
    { headers: { origin: `http://localhost:${port}` } },
  );
  const errors: string[] = [];
  let screen = "";
  let seq = 0;
  ws.on("message", (data, binary) => {
    if (binary) screen += data.toString();
    else if (String(data).includes('"type":"error"')) errors.push(String(data));
  });
  return {
    ws,
    errors,
    screen: () => screen,
    opened: new Promise((resolve) => ws.once("open", resolve)),
    type: (text: string) => ws.send(JSON.stringify({ type: "input", seq: ++seq, data: text })),
  };
}

test("the attendee sees who watches, and a watcher types only once the attendee allows it", async ({ page }) => {
  await page.goto("/scenarios/authoring");
  const tokenRequest = page.waitForRequest(/\/api\/sessions\/[^/]+\/terminal-token/);
  await page.getByRole("button", { name: "Start", exact: true }).click();
  const sessionId = /\/api\/sessions\/([^/]+)\/terminal-token/.exec((await tokenRequest).url())?.[1] ?? "";
  await expect.poll(() => rows(page)).toMatch(/root@host01/);
  await page.getByRole("region", { name: "Terminal" }).locator(".xterm").click();
  await page.keyboard.type("echo attendee-$((1+1))\n");

  const ada = watch(sessionId);
  await ada.opened;
  await expect(page.getByTestId("watchers")).toContainText("Ada Lovelace (instructor, read-only)");
  await expect.poll(() => ada.screen()).toContain("attendee-2");

  // Refused at the gateway while the attendee has not allowed it.
  ada.type("echo sneaky-$((2+2))\r");
  await expect.poll(() => ada.errors.length).toBeGreaterThan(0);
  await page.waitForTimeout(500);
  expect(await rows(page)).not.toMatch(/sneaky-4/);

  await page.getByLabel("Let them type").check();
  await expect(page.getByTestId("watchers")).toContainText("Ada Lovelace (instructor, can type)");
  await page.screenshot({ path: ".dockyard/test-results/terminal-watched.png" });
  // The refused input was used up: allowing control does not run it now.
  ada.type("echo helped-$((3*3))\r");
  await expect.poll(() => rows(page)).toMatch(/^helped-9/m);
  expect(await rows(page)).not.toMatch(/sneaky-4/);

  ada.ws.close();
  await expect(page.getByTestId("watchers")).toBeHidden();
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
