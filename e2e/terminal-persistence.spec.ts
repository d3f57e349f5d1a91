import { createHash } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";

// Shells outlive the page: a reload re-attaches every open tab to its own running shell, screen and all.

const visibleScreen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

const typeInto = async (page: Page, text: string) => {
  await page.getByRole("region", { name: "Terminal" }).locator(".xterm").click();
  await page.keyboard.type(text);
};

test("a reload gives back both running programs and their screens", async ({ page }) => {
  await page.goto("/scenarios/authoring");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
  await typeInto(page, "echo marker-one; sleep 600\n");
  await expect.poll(() => visibleScreen(page)).toMatch(/^marker-one$/m);

  await page.getByRole("button", { name: /Open another terminal/ }).click();
  await expect(page.getByRole("tab", { name: "Terminal 2" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
  await typeInto(page, "top\n");
  await expect.poll(() => visibleScreen(page)).toMatch(/^top - /m);

  await page.reload();
  // Terminal 1 comes back to the same shell: its screen still shows what ran, and sleep still runs (no prompt after
  // its output: the shell is still waiting for it).
  const lastLine = async () =>
    (await visibleScreen(page))
      .split("\n")
      .map((l) => l.trimEnd())
      .filter(Boolean)
      .at(-1);
  await expect.poll(lastLine).toBe("marker-one");
  await page.getByRole("tab", { name: "Terminal 2" }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/^top - /m);
  await typeInto(page, "q");
  await page.getByRole("tab", { name: "Terminal 1" }).click();
  await expect.poll(lastLine).toBe("marker-one");
  await typeInto(page, "\u0003");
  await typeInto(page, "echo after-ctrl-c\n");
  await expect.poll(() => visibleScreen(page)).toMatch(/^after-ctrl-c$/m);

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});

test("yes floods the terminal for ten seconds; Ctrl-C stops it at once and the page stays usable", async ({ page }) => {
  await page.goto("/scenarios/authoring");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
  await typeInto(page, "yes\n");
  await page.waitForTimeout(10_000);
  const pressed = Date.now();
  await page.keyboard.press("Control+C");
  await typeInto(page, "echo stopped-$((1+1))\n");
  await expect.poll(() => visibleScreen(page), { timeout: 5_000 }).toMatch(/^stopped-2$/m);
  const took = Date.now() - pressed;
  test.info().annotations.push({ type: "ctrl-c to prompt (ms)", description: String(took) });
  expect(took).toBeLessThan(1_000);
  // The page still answers: the instructions respond to a click.
  await page.getByText("About this lab").click();
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});

test("cutting the connection 10 times while typing: every keystroke arrives once, in order", async ({ page }) => {
  // Every terminal socket goes through this route, so the test can cut it: frames in flight in either direction are
  // lost, as on a real network drop.
  const live: { cut: () => Promise<void> }[] = [];
  await page.routeWebSocket(/\/terminal\?/, (ws) => {
    const server = ws.connectToServer();
    live.push({
      cut: async () => {
        await server.close({ code: 4000, reason: "cut" });
        await ws.close({ code: 4000, reason: "cut" });
      },
    });
  });
  await page.goto("/scenarios/authoring");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
  await typeInto(page, "stty -echo; cat > /tmp/typed\n");
  await page.waitForTimeout(300);

  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const typed = Array.from({ length: 360 }, (_, i) => alphabet[(i * 7) % alphabet.length]).join("");
  let typing = true;
  let cuts = 0;
  const cutter = (async () => {
    while (typing || cuts < 10) {
      await page.waitForTimeout(350);
      const socket = live.shift();
      if (!socket) continue;
      await socket.cut();
      cuts += 1;
      if (!typing && cuts >= 10) break;
    }
  })();
  await page.keyboard.type(typed, { delay: 12 });
  typing = false;
  await cutter;
  expect(cuts).toBeGreaterThanOrEqual(10);
  await expect(page.getByTestId("connection-state")).toHaveText(/Connected/, { timeout: 15_000 });
  await page.keyboard.type("\n");
  await page.keyboard.press("Control+D");
  // The file holds exactly what was typed: same length, same digest.
  await typeInto(page, "stty echo; clear; wc -c < /tmp/typed; sha256sum < /tmp/typed\n");
  const digest = createHash("sha256").update(`${typed}\n`).digest("hex");
  await expect.poll(() => visibleScreen(page), { timeout: 10_000 }).toMatch(new RegExp(`^${digest} +-$`, "m"));
  await expect.poll(() => visibleScreen(page)).toMatch(new RegExp(`^${typed.length + 1}$`, "m"));

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
