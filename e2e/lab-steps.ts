import { expect, type Page } from "@playwright/test";

/** Starts the lab's sandbox from the page and waits for its prompt. */
export async function startLab(page: Page) {
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByRole("region", { name: "Terminal" })).toBeVisible();
  await expect
    .poll(async () => ((await page.locator(".xterm-rows").textContent()) ?? "").includes("root@host01"), {
      timeout: 30_000,
    })
    .toBe(true);
}

/**
 * Does the current step as a learner does: runs its commands by click, checks until it passes, and moves on. It
 * returns once the page shows another step (or the end), so the next call never clicks the previous step's commands.
 */
export async function doStep(page: Page) {
  const position = page.getByText(/^Step \d+ of \d+$/);
  const before = await position.textContent();
  const actions = page.locator('[data-step-body] [data-action="execute"]');
  for (let i = 0; i < (await actions.count()); i++) await actions.nth(i).click();
  await expect(async () => {
    await page.getByRole("button", { name: "Check" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole("button", { name: "Next" }).click();
  await expect(async () => {
    expect(await position.textContent({ timeout: 1000 }).catch(() => null)).not.toBe(before);
  }).toPass({ timeout: 15_000 });
}
