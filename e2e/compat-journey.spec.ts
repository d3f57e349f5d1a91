import { expect, type Page, test } from "@playwright/test";

// Issue 3's acceptance journey, through public examples run unchanged: an execute block for terminal 2 and a file
// block (Katacoda's exclusion-patterns), a quiz (Katacoda's quiz), and a verify step that fails, then passes
// (Killercoda's verification). Those examples give no failure reason of their own, so the journey ends on a
// scenario whose check explains itself with a FAIL: line.

const visibleScreen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

const stop = async (page: Page) => {
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
};

test("compat scenarios in the player: terminal 2, a file block, a quiz, a verify that fails then passes", async ({
  page,
}) => {
  // Katacoda's exclusion-patterns: a file block, commands in terminal 1, and `watch` in terminal 2.
  await page.goto("/scenarios/exclusion-patterns");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
  await page.locator('[data-step-body] [data-action="file"][data-filename="poc.sh"]').click();
  await expect(page.getByRole("status").filter({ hasText: "Wrote poc.sh" })).toBeVisible();
  await page.locator("[data-step-body] code", { hasText: "chmod +x ./poc.sh" }).click();
  await page.locator("[data-step-body] code", { hasText: /^\.\/poc\.sh$/ }).click();
  await page.locator('[data-step-body] code[data-terminal="2"]', { hasText: "watch ls -la ./test" }).click();
  await expect(page.getByRole("tab", { name: "Terminal 2" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => visibleScreen(page), { timeout: 20_000 }).toMatch(/\b[1-9]\d*\.cache\b/);
  await page.screenshot({ path: ".dockyard/test-results/compat-terminal-2.png" });
  await stop(page);

  // Katacoda's quiz: Next waits for right answers.
  await page.goto("/scenarios/quiz");
  const next = page.getByRole("button", { name: "Next" });
  await page.getByRole("textbox", { name: "Enter the exact string test" }).fill("nope");
  await page.getByRole("textbox", { name: "Enter the string containing test" }).fill("a test it is");
  await page.getByRole("group", { name: "Multiple Choice" }).getByRole("checkbox").nth(0).check();
  await page.getByRole("group", { name: "Multiple Choice" }).getByRole("checkbox").nth(1).check();
  await page.getByRole("group", { name: "Single Choice" }).getByRole("radio").first().check();
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Check your answer to Q1" })).toBeVisible();
  await expect(next).toBeDisabled();
  await page.getByRole("textbox", { name: "Enter the exact string test" }).fill("test");
  await page.getByRole("button", { name: "Check" }).click();
  await expect(next).toBeEnabled();

  // Killercoda's verification: the check fails until the learner makes the file.
  await page.goto("/scenarios/verification");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Not yet" })).toBeVisible();
  await page.getByRole("region", { name: "Terminal" }).locator(".xterm").click();
  await page.keyboard.type("touch /etc/panda\n");
  await expect(page.getByRole("button", { name: "Next" })).toBeDisabled();
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible();
  await stop(page);

  // A check that says why it failed.
  await page.goto("/scenarios/authoring");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Not yet — /root/done is missing" })).toBeVisible();
  await page.locator("[data-step-body] code", { hasText: "touch /root/done" }).click();
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible();
  await stop(page);
});
