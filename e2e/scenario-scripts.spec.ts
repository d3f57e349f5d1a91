import { expect, type Page, test } from "@playwright/test";

// An unchanged Killercoda example: background scripts run hidden in the sandbox, foreground scripts are typed into
// the terminal and wait for them, as on Killercoda.

const screen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

test("foreground scripts wait for background scripts, page by page", async ({ page }) => {
  await page.goto("/scenarios/foreground-background-scripts-multi-step");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  // The intro's foreground waits for its background (3 s), then greets.
  await expect.poll(() => screen(page), { timeout: 20_000 }).toContain("Hello and welcome to this scenario!");
  // Step 1's foreground waits for step 1's background too.
  await expect.poll(() => screen(page), { timeout: 20_000 }).toMatch(/DONE/);

  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Not yet" })).toBeVisible();
  await page.locator('[data-step-body] [data-action="execute"]').first().click();
  await expect(async () => {
    await page.getByRole("button", { name: "Check" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 15_000 });

  // The background's output is kept in the sandbox for the author.
  await page.locator(".xterm-screen").click();
  await page.keyboard.type("clear; cat /var/log/killercoda/intro-background.log");
  await page.keyboard.press("Enter");
  await expect.poll(() => screen(page)).toContain("starting...");

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});

test("assets are in place before the learner's first command", async ({ page }) => {
  await page.goto("/scenarios/upload-assets");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => screen(page)).toMatch(/root@host01/);
  await page.locator('[data-step-body] [data-action="execute"]').first().click();
  // run.sh (copied with +x) prints conf.yaml, copied beside it.
  await expect.poll(() => screen(page)).toContain("city: Spacetown");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
