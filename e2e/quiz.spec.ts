import { expect, test } from "@playwright/test";

// Katacoda's own quiz example, unchanged: Next stays locked until every answer is right.
test("a quiz gates Next until all answers are right, and says which are wrong", async ({ page }) => {
  await page.goto("/scenarios/quiz");
  const next = page.getByRole("button", { name: "Next" });
  await expect(next).toBeDisabled();
  // Four questions, and the answers are not in the page.
  await expect(page.locator("[data-step-body] fieldset")).toHaveCount(4);
  expect(await page.locator("[data-step-body] fieldset").allTextContents()).not.toContainEqual(
    expect.stringMatching(/\[\*\]|===/),
  );

  await page.getByRole("textbox", { name: "Enter the exact string test" }).fill("TEST");
  await page.getByRole("textbox", { name: "Enter the string containing test" }).fill("this is a test");
  await page.getByRole("group", { name: "Multiple Choice" }).getByRole("checkbox").first().check();
  await page.getByRole("group", { name: "Single Choice" }).getByRole("radio").first().check();
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Check your answers to Q1, Q3" })).toBeVisible();
  await expect(next).toBeDisabled();

  await page.getByRole("textbox", { name: "Enter the exact string test" }).fill("test");
  await page.getByRole("group", { name: "Multiple Choice" }).getByRole("checkbox").nth(1).check();
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "All answers are right" })).toBeVisible();
  await page.screenshot({ path: ".dockyard/test-results/quiz.png" });
  await next.click();
  await expect(page.getByRole("heading", { name: /Scenario complete/ })).toBeVisible();
});
