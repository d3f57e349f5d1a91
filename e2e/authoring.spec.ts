import { readFileSync, writeFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";

// Authoring mode (npm run dev; the journeys run in it): edits to a scenario's files show in the open page, and the
// Script log keeps every script's outcome and output.

const visibleScreen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

const stepFile = `${process.cwd()}/.dockyard/e2e-scenarios/authoring/step1.md`;

test("an edited step shows in the open page without losing the terminal; the Script log shows each run", async ({
  page,
}) => {
  const original = readFileSync(stepFile, "utf8");
  try {
    await page.goto("/scenarios/authoring");
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
    await page.getByRole("region", { name: "Terminal" }).locator(".xterm").click();
    await page.keyboard.type("echo typed-before-the-edit\n");
    await expect.poll(() => visibleScreen(page)).toMatch(/^typed-before-the-edit$/m);

    await expect(page.locator("[data-step-body]")).toContainText("Version one of this step.");
    writeFileSync(stepFile, original.replace("Version one", "Version two"));
    await expect(page.locator("[data-step-body]")).toContainText("Version two of this step.");
    // The same shell, its screen intact.
    expect(await visibleScreen(page)).toMatch(/^typed-before-the-edit$/m);

    await page.getByRole("button", { name: "Check" }).click();
    await expect(page.getByRole("status").filter({ hasText: "/root/done is missing" })).toBeVisible();

    await page.getByText("Script log").click();
    const runs = page.getByRole("list", { name: "Script runs" });
    await expect(runs.getByRole("listitem").filter({ hasText: "verify · step 1" }).first()).toContainText("exit 1");
    await expect(runs).toContainText("looking for /root/done");
    await expect(runs.getByRole("listitem").filter({ hasText: "background" })).toContainText("intro-background");
    await expect(page.getByText("background setup says hello")).toBeVisible();

    await page.locator("[data-step-body] code", { hasText: "touch /root/done" }).click();
    await page.getByRole("button", { name: "Check" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible();
    await expect(runs.getByRole("listitem").filter({ hasText: "verify · step 1" }).first()).toContainText("exit 0");
    await page.screenshot({ path: ".dockyard/test-results/authoring.png", fullPage: true });

    await page.getByRole("button", { name: "Stop" }).click();
    await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  } finally {
    writeFileSync(stepFile, original);
  }
});
