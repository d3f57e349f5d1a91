import { expect, type Page, test } from "@playwright/test";

// Katacoda's challenge template, unchanged: tasks check themselves, hints come with time, a done task moves on.

async function typeInTerminal(page: Page, text: string) {
  await page.getByRole("region", { name: "Terminal" }).locator(".xterm-screen").click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

test("a challenge advances by itself when a task is done, with hints over time", async ({ page }) => {
  await page.goto("/scenarios/challenge-hello-world");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect(page.getByRole("region", { name: "Terminal" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Bananas" })).toBeVisible();

  // The hint script gets the seconds since the task began; after 10 s it has something to say.
  await expect(page.getByRole("note", { name: "Hint" })).toContainText(/Still working on it|Hint/, { timeout: 30_000 });

  await typeInTerminal(page, "touch /root/bananas.txt");
  await expect(page.getByRole("heading", { name: "Apples" })).toBeVisible({ timeout: 20_000 });
  await typeInTerminal(page, "touch /root/apples.txt");
  await expect(page.getByRole("heading", { name: /Scenario complete/ })).toBeVisible({ timeout: 20_000 });

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
