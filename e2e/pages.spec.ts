import { expect, type Page, test } from "@playwright/test";
import { ADMIN, apiAs, makeAccount, signIn } from "./accounts.ts";

// Every page of accounts, workshops and administration, at a desktop width and at half a laptop screen
// (split-screen): nothing spills sideways, and each has its heading. Screenshots land in .dockyard/test-results.

const WIDTHS = [1400, 720];

async function fits(page: Page, path: string, heading: RegExp | string, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await page.waitForLoadState("networkidle");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${path} at ${width}px spills ${overflow}px sideways`).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `.dockyard/test-results/page-${name}-${width}.png`, fullPage: true });
  }
}

test("every new page fits a desktop and a split screen", async ({ browser }) => {
  test.setTimeout(180_000);
  const instructor = await makeAccount("instructor", "Iris");
  const ins = await apiAs(instructor.email, instructor.password);
  const made = await ins.post("/api/events", {
    data: {
      title: "Layout check",
      scenarios: ["workshop-warmup", "container-basics"],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      capacity: 5,
    },
  });
  const { event } = (await made.json()) as { event: { id: string; code: string } };
  await ins.dispose();

  const guest = await browser.newContext();
  const g = await guest.newPage();
  await fits(g, "/sign-in", "Sign in", "sign-in");
  await fits(g, "/sign-up", "Create an account", "sign-up");
  await fits(g, `/join?code=${event.code}`, "Join a workshop", "join");
  await g.getByLabel("Your name").fill("Layla");
  await g.getByRole("button", { name: "Join" }).click();
  await expect(g.getByRole("heading", { level: 1, name: "Layout check" })).toBeVisible();
  await fits(g, `/events/${event.code}`, "Layout check", "event");
  await fits(g, "/", "Labs", "home");
  await guest.close();

  const teacher = await browser.newContext();
  const t = await teacher.newPage();
  await signIn(t, instructor.email, instructor.password);
  await fits(t, "/instructor", "Your events", "instructor");
  await fits(t, "/instructor/scenarios", "Scenarios", "instructor-scenarios");
  await fits(t, "/account", "Your account", "account");
  await fits(t, `/instructor/events/${event.id}`, "Layout check", "console");
  await teacher.close();

  const admin = await browser.newContext();
  const a = await admin.newPage();
  await signIn(a, ADMIN.email, ADMIN.password);
  await fits(a, "/admin", "Admin", "admin-sandboxes");
  await fits(a, "/admin/environments", "Admin", "admin-environments");
  await fits(a, "/admin/users", "Admin", "admin-users");
  await fits(a, "/admin/audit", "Admin", "admin-audit");
  await admin.close();
});

test("dark and light themes: the system's by default, switched from the header and remembered", async ({ browser }) => {
  const bodyIsDark = (page: Page) =>
    page.evaluate(() => {
      // rgb(r, g, b), or lab/oklch with the lightness first: dark means little of it.
      const color = getComputedStyle(document.body).backgroundColor;
      const [a = 255, b = 255, c = 255] = (color.match(/[\d.]+/g) ?? []).map(Number);
      if (color.startsWith("rgb")) return a + b + c < 150;
      return a > 1 ? a < 50 : a < 0.5;
    });
  const system = await browser.newContext({ colorScheme: "dark" });
  const s = await system.newPage();
  await s.goto("/");
  await expect(s.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await bodyIsDark(s)).toBe(true);
  await s.screenshot({ path: ".dockyard/test-results/theme-dark-home.png" });
  await s.goto("/scenarios/workshop-warmup");
  await s.screenshot({ path: ".dockyard/test-results/theme-dark-lab.png" });
  await system.close();

  const light = await browser.newContext({ colorScheme: "light" });
  const page = await light.newPage();
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  expect(await bodyIsDark(page), await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
    false,
  );
  await page.getByRole("button", { name: /^Theme: system/ }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await page.getByRole("button", { name: /^Theme: light/ }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await bodyIsDark(page)).toBe(true);
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(page.getByRole("button", { name: /^Theme: dark/ })).toBeVisible();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/admin/users");
  await page.screenshot({ path: ".dockyard/test-results/theme-dark-admin.png" });
  await light.close();
});

test("an admin sees environments, images, pools and limits, and builds the images with their output live", async ({
  browser,
}) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/admin");
  await page.getByRole("link", { name: "Environments" }).click();
  const images = page.getByRole("region", { name: "Images", exact: true });
  await expect(images.locator('[data-image="dockyard/sandbox:latest"]')).toContainText(/MiB|GiB/);
  await expect(page.getByRole("region", { name: "Environments" })).toContainText("ubuntu");
  await expect(page.getByRole("region", { name: "Limits and switches" })).toContainText("Per user");
  await expect(page.getByRole("region", { name: "Warm pools" })).toContainText(/ready/);
  await images.getByRole("button", { name: "Build missing or changed" }).click();
  await expect(images.getByRole("status")).toHaveText("Building…");
  await expect(images.getByLabel("Build output")).toContainText("dockyard/sandbox:latest is up to date", {
    timeout: 120_000,
  });
  await expect(images.getByRole("status")).toHaveText(/^Built in \d+(\.\d+)? s$/, { timeout: 120_000 });
  await page.screenshot({ path: ".dockyard/test-results/admin-environments.png", fullPage: true });
  // A reload catches up with the last build.
  await page.reload();
  await expect(images.getByRole("status")).toContainText("Built in");
  await expect(images.getByLabel("Build output")).toContainText("up to date");
  // The audit log has it.
  await page.goto("/admin/audit");
  await expect(page.getByRole("row", { name: /images\.build/ }).first()).toBeVisible();
  await context.close();
});

test("an admin sees the images each course pulls and preloads them into the registry mirror, with progress", async ({
  browser,
}) => {
  test.setTimeout(600_000);
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/admin/environments");
  const section = page.getByRole("region", { name: "Course images" });
  const course = section.locator('[data-course-images="Docker workshop"]');
  for (const image of ["redis:7.0", "node:18", "dockyard/http-server:v3", "dockyard/redis-node-app:1.0"]) {
    await expect(course.locator(`[data-image="${image}"]`)).toBeVisible();
  }
  await section.getByRole("button", { name: "Preload Docker workshop" }).click();
  await expect(section.getByRole("status")).toHaveText("Preloading…");
  await expect(section.getByLabel("Preload output")).toContainText("redis:7.0", { timeout: 60_000 });
  await expect(section.getByRole("status")).toHaveText(/^Preloaded in \d+(\.\d+)? s$/, { timeout: 540_000 });
  // The page refreshes: every image of the course is in the mirror now.
  await expect(course).toContainText("all in the mirror");
  await expect(course.locator('[data-held="no"]')).toHaveCount(0);
  await page.screenshot({ path: ".dockyard/test-results/admin-course-images.png", fullPage: true });
  await page.goto("/admin/audit");
  await expect(page.getByRole("row", { name: /images\.preload/ }).first()).toBeVisible();
  await context.close();
});

test("an instructor previews a scenario and runs its automated test, with the output live", async ({ browser }) => {
  test.setTimeout(180_000);
  const instructor = await makeAccount("instructor", "Tess");
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, instructor.email, instructor.password);
  await page.goto("/instructor");
  await page.getByRole("link", { name: "Scenarios: preview and test" }).click();
  const row = page.locator('[data-scenario="workshop-warmup"]');
  await expect(row.getByTestId("test-result")).toContainText(/not tested|Passed|Failed/);
  await row.getByRole("button", { name: "Test Workshop warm-up" }).click();
  await expect(row.getByTestId("test-result")).toHaveText("Testing…");
  await expect(page.getByRole("log", { name: "Test log" })).toContainText("Make a file", { timeout: 60_000 });
  await expect(row.getByTestId("test-result")).toHaveText(/^Passed: 2 of 2 steps, in [\d.]+ s$/, { timeout: 120_000 });
  await page.screenshot({ path: ".dockyard/test-results/instructor-scenario-test.png", fullPage: true });
  // The result stays for the next visit; Preview opens the lab as attendees see it.
  await page.reload();
  await expect(row.getByTestId("test-result")).toContainText("Passed: 2 of 2 steps");
  await row.getByRole("link", { name: "Preview Workshop warm-up" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Workshop warm-up" })).toBeVisible();
  await context.close();
});
