import { expect, test } from "@playwright/test";

test("file blocks write into the sandbox on click; a failing check says why", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/scenarios/file-blocks");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByRole("region", { name: "Terminal" })).toBeVisible();

  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "/root/conf/app.ini does not exist yet" })).toBeVisible();

  const blocks = page.locator('[data-step-body] [data-action="file"]');
  await expect(blocks).toHaveCount(2);
  await blocks.nth(0).click();
  await expect(page.getByRole("status").filter({ hasText: "Wrote conf/app.ini" })).toBeVisible();
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "has no debug line" })).toBeVisible();

  await blocks.nth(1).focus();
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible();

  // Plain inline code copies on click.
  await page.locator("[data-step-body] code", { hasText: "8080" }).last().click();
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe("8080");

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
