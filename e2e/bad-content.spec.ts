import { expect, test } from "@playwright/test";

// Scenario content is untrusted input: a broken scenario is reported to authors, a hostile one runs nothing.

test("a broken scenario is reported on the catalog with file and position, and the rest still load", async ({
  page,
}) => {
  await page.goto("/");
  await expect(page.getByRole("link", { name: /Containers are not VMs/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Broken on purpose/ })).toHaveCount(0);
  const problems = page.locator("details", { hasText: "errors and" });
  await problems.locator("summary").click();
  await expect(problems).toContainText("broken-json");
  await expect(problems).toContainText(/index\.json.*:4/);
  await page.screenshot({ path: ".dockyard/test-results/catalog-problems.png" });
});

test("courses show their scenarios in the course's order, from a second scenario folder", async ({ page }) => {
  await page.goto("/");
  const course = page.getByRole("region", { name: "Pathway workshop" });
  await expect(course.getByRole("heading", { name: "Pathway workshop" })).toBeVisible();
  await expect(course.getByRole("listitem").getByRole("link")).toHaveText([
    /1\.\s*Workshop day-two/,
    /2\.\s*Workshop day-one/,
  ]);
  await expect(
    page.getByRole("region", { name: "More labs" }).getByRole("link", { name: /Containers are not VMs/ }),
  ).toBeVisible();
  await course.getByRole("link", { name: /Workshop day-one/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Workshop day-one" })).toBeVisible();
});

test("hostile markdown runs no script and cannot cover the page", async ({ page }) => {
  await page.goto("/scenarios/hostile-markdown");
  await expect(page.getByRole("heading", { name: "Try to attack" })).toBeVisible();
  await page.getByText("a link").click();
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as { __pwned?: string }).__pwned)).toBeUndefined();
  const html = await page.locator("[data-step-body]").innerHTML();
  expect(html).not.toMatch(/<script|onerror|javascript:|<iframe/i);
  // The overlay's text stays, its borrowed layout classes do not.
  await expect(page.getByText("covering the page")).not.toHaveClass(/fixed/);
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  // What a lesson may use still works: a solution in <details> with a runnable command.
  await page.getByText("Solution").click();
  await expect(page.locator('[data-step-body] [data-action="execute"]', { hasText: "echo safe" })).toBeVisible();
});

test("an unknown scenario is a friendly 404", async ({ page }) => {
  const res = await page.goto("/scenarios/no-such-lab");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "There is no such lab" })).toBeVisible();
  await page.getByRole("link", { name: "All labs" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("lesson images load from the scenario's folder, and nothing outside it is served", async ({ page, request }) => {
  await page.goto("/scenarios/displaying-images");
  const image = page.locator("[data-step-body] img").first();
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  for (const path of [
    "../../../../../../etc/passwd",
    "../../../package.json",
    "/etc/hostname.png",
    "assets/none.png",
  ]) {
    const res = await request.get(`/api/scenarios/displaying-images/image?path=${encodeURIComponent(path)}`);
    expect(res.status(), path).toBe(404);
  }
});
