import { expect, type Page, test } from "@playwright/test";

// A web server in the sandbox, opened through its port preview; another visitor is refused.

const visibleScreen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

test("a port preview opens the sandbox's web server for its owner, and 403 for anyone else", async ({
  page,
  browser,
}) => {
  await page.goto("/scenarios/port-preview");
  // Before a sandbox exists, the link leads to Dockyard's own picker route.
  await expect(page.getByRole("link", { name: "open the site" })).toHaveAttribute(
    "href",
    "/scenarios/port-preview/traffic/host01/8000/",
  );
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);

  // With the sandbox running, placeholders carry its values.
  const link = page.getByRole("link", { name: "open the site" });
  await expect(link).toHaveAttribute("href", /^http:\/\/s-[0-9a-f]{16}-8000\.localhost:3101\/$/);
  const previewUrl = (await link.getAttribute("href")) ?? "";
  await expect(page.locator("[data-step-body] code").filter({ hasText: /^\d+\.\d+\.\d+\.\d+$/ })).toHaveCount(1);
  await expect(page.locator("[data-step-body]")).toContainText(`the same link as ${previewUrl}`);

  await page.locator("[data-step-body] code", { hasText: "python3 -m http.server" }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/Serving HTTP on 0\.0\.0\.0 port 8000/);

  const [popup] = await Promise.all([page.waitForEvent("popup"), link.click()]);
  await expect(popup.locator("body")).toHaveText("Hello from the sandbox");
  expect(popup.url()).toBe(previewUrl);
  await popup.screenshot({ path: ".dockyard/test-results/port-preview.png" });
  await popup.close();

  // Killercoda's URL template inside the sandbox names the same preview.
  await page.locator("[data-step-body] code", { hasText: "sed 's/PORT/8000/g'" }).click();
  await expect(page.getByRole("tab", { name: "Terminal 2" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => visibleScreen(page)).toContain(previewUrl.replace(/\/$/, ""));

  // Another visitor, in a browser of their own: sent to be vouched for, and refused.
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  const answer = await strangerPage.goto(previewUrl);
  expect(answer?.status()).toBe(403);
  await expect(strangerPage.getByRole("heading")).toHaveText("This preview is not yours");
  await stranger.close();

  // The port picker leads to the same preview (in a tab of its own: the lab's terminal keeps the server running).
  const picker = await page.context().newPage();
  await picker.goto("/scenarios/port-preview/traffic");
  await picker.screenshot({ path: ".dockyard/test-results/port-picker.png" });
  await picker.getByLabel("Port").fill("8000");
  await picker.getByRole("button", { name: "Open" }).click();
  await expect(picker.locator("body")).toHaveText("Hello from the sandbox");
  await picker.close();

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});

test("Katacoda dashboards show the sandbox's port in the page, and extra terminal tabs open with their command", async ({
  page,
}) => {
  // Katacoda's dashboard-tabs example, unchanged.
  await page.goto("/scenarios/dashboard-tabs");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
  await expect(page.getByRole("tab", { name: "Terminal 2" })).toBeVisible();
  await expect(page.getByRole("link", { name: "URL ↗" })).toHaveAttribute("href", "https://www.google.co.uk/");

  // The extra "Docker Stats" terminal got its command typed (there is no Docker in this sandbox, so it says so).
  await page.getByRole("tab", { name: "Docker Stats" }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/docker stats/);

  await page.getByRole("tab", { name: "Terminal 1" }).click();
  await page.getByRole("region", { name: "Terminal" }).locator(".xterm").click();
  await page.keyboard.type(
    "mkdir -p /srv/d && echo dashboard-ok > /srv/d/index.html && python3 -m http.server 80 -d /srv/d\n",
  );
  await expect.poll(() => visibleScreen(page)).toMatch(/Serving HTTP on 0\.0\.0\.0 port 80/);

  for (const name of ["Port 80", "Placeholder"]) {
    await page.getByRole("tab", { name }).click();
    const frame = page.frameLocator(`iframe[title="${name}"]`);
    await expect(frame.locator("body")).toHaveText("dashboard-ok");
  }
  await page.screenshot({ path: ".dockyard/test-results/dashboard.png" });

  await page.getByRole("tab", { name: "Terminal 1" }).click();
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
