import { expect, type Page, test } from "@playwright/test";

// The terminal component itself: its renderers (WebGL, and the DOM when WebGL is lost), screen-reader mode, the
// clipboard shortcuts, and the connection state it shows.

const terminal = (page: Page) => page.getByRole("region", { name: "Terminal" });

const rows = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await terminal(page).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

async function start(page: Page) {
  await page.goto("/scenarios/authoring");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByTestId("connection-state")).toHaveText(/Connected/);
}

async function type(page: Page, text: string) {
  await terminal(page).locator(".xterm").click();
  await page.keyboard.type(text);
}

test.describe("with the browser's default renderer", () => {
  // No renderer preference: WebGL where the browser has it.
  test.use({ storageState: { cookies: [], origins: [] } });

  test("draws with WebGL where it can, falls back to the DOM when the context is lost, and reads out in screen-reader mode", async ({
    page,
  }) => {
    await start(page);
    const hasWebgl = await page.evaluate(() => Boolean(document.createElement("canvas").getContext("webgl2")));
    const host = page.getByTestId("xterm-host");
    await expect(host).toHaveAttribute("data-renderer", hasWebgl ? "webgl" : "dom");
    test.info().annotations.push({ type: "renderer", description: hasWebgl ? "webgl" : "dom (no WebGL here)" });

    // Screen-reader mode: the screen's text is in the page for assistive technology, and the choice is kept.
    const toggle = page.getByRole("button", { name: /Screen reader/ });
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    await type(page, "echo spoken-$((2+3))\n");
    await expect(terminal(page).locator(".xterm-accessibility")).toContainText("spoken-5");

    if (hasWebgl) {
      await page.evaluate(() => {
        for (const canvas of document.querySelectorAll<HTMLCanvasElement>("[data-testid=xterm-host] canvas")) {
          canvas.getContext("webgl2")?.getExtension("WEBGL_lose_context")?.loseContext();
        }
      });
      await expect(host).toHaveAttribute("data-renderer", "dom");
      await type(page, "echo after-loss-$((3+4))\n");
      await expect.poll(() => rows(page)).toMatch(/^after-loss-7/m);
    }

    await page.reload();
    await expect(page.getByRole("button", { name: /Screen reader/ })).toHaveAttribute("aria-pressed", "true");
    await page.getByRole("button", { name: "Stop" }).click();
    await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  });
});

test("copies with Ctrl+Shift+C, pastes with Ctrl+Shift+V and Shift+Insert, and opens links", async ({
  page,
  context,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await start(page);
  await type(page, "echo copy-me-$((40+2))\n");
  await expect.poll(() => rows(page)).toMatch(/^copy-me-42/m);
  // Triple-click selects the output line; the shortcut copies it (and does not reach the shell as ^C).
  const line = await terminal(page)
    .locator(".xterm-rows > div", { hasText: /^copy-me-42/ })
    .boundingBox();
  if (!line) throw new Error("the output line is not on screen");
  await page.mouse.click(line.x + 20, line.y + line.height / 2, { clickCount: 3 });
  await page.keyboard.press("Control+Shift+C");
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/^copy-me-42\s*$/);

  await page.evaluate(() => navigator.clipboard.writeText("echo pasted-$((5*5))"));
  await terminal(page).locator(".xterm").click();
  await page.keyboard.press("Control+Shift+V");
  await page.keyboard.press("Enter");
  await expect.poll(() => rows(page)).toMatch(/^pasted-25/m);
  await page.evaluate(() => navigator.clipboard.writeText("echo inserted-$((6*6))"));
  await page.keyboard.press("Shift+Insert");
  await page.keyboard.press("Enter");
  await expect.poll(() => rows(page)).toMatch(/^inserted-36/m);

  // A web address in the output is a link; a click opens it in a new tab, cut off from this page.
  await type(page, "echo see https://docs.example.com/start-here\n");
  await expect.poll(() => rows(page)).toMatch(/^see https:\/\/docs\.example\.com\/start-here/m);
  const link = await terminal(page)
    .locator(".xterm-rows > div", { hasText: /^see https/ })
    .boundingBox();
  if (!link) throw new Error("the line with the link is not on screen");
  await page.context().route("https://docs.example.com/**", (route) => route.fulfill({ body: "the docs" }));
  const popup = page.context().waitForEvent("page");
  await page.mouse.move(link.x + 80, link.y + link.height / 2);
  await page.mouse.click(link.x + 80, link.y + link.height / 2);
  expect((await popup).url()).toContain("docs.example.com/start-here");

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});

test("shows the connection's state: reconnecting while the gateway is unreachable, connected again after", async ({
  page,
}) => {
  let refuse = false;
  const live: { cut: () => Promise<void> }[] = [];
  await page.routeWebSocket(/\/terminal\?/, async (ws) => {
    if (refuse) return ws.close({ code: 4000, reason: "unreachable" });
    const server = ws.connectToServer();
    live.push({
      cut: async () => {
        await server.close();
        await ws.close({ code: 4000, reason: "cut" });
      },
    });
  });
  await start(page);
  refuse = true;
  for (const socket of live.splice(0)) await socket.cut();
  await expect(page.getByTestId("connection-state")).toHaveText(/Reconnecting/);
  // Typed while away: kept, and sent once the connection is back.
  await type(page, "echo typed-while-away\n");
  refuse = false;
  await expect(page.getByTestId("connection-state")).toHaveText(/Connected/, { timeout: 20_000 });
  await expect.poll(() => rows(page)).toMatch(/^typed-while-away/m);
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
