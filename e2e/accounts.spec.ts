import { expect, test } from "@playwright/test";
import { ADMIN, apiAs, baseURL, makeAccount, signIn, uniqueEmail } from "./accounts.ts";
import { doStep, startLab } from "./lab-steps.ts";

// Guests and accounts, in Chromium against the real stack: no sign-up needed, and nothing lost by signing up.

const LAB = "/scenarios/workshop-warmup";

test("a guest finishes a lab, resuming it after closing the browser", async ({ browser }) => {
  const first = await browser.newContext();
  const page = await first.newPage();
  await page.goto(LAB);
  await startLab(page);
  await doStep(page);
  await expect(page.getByText("Step 2 of 2")).toBeVisible();
  // Closing the browser: only what it keeps on disk (cookies, storage) comes back.
  const kept = await first.storageState();
  await first.close();

  const again = await browser.newContext({ storageState: kept });
  const back = await again.newPage();
  await back.goto("/");
  const mine = back.getByRole("region", { name: "Your labs" });
  await expect(mine).toContainText("Workshop warm-up");
  await expect(mine).toContainText("Step 2 of 2");
  await back.screenshot({ path: ".dockyard/test-results/home-in-progress.png" });
  await mine.getByRole("link", { name: "Resume Workshop warm-up" }).click();
  await expect(back.getByText("Step 2 of 2")).toBeVisible();
  // The same sandbox: step 1's file is still there.
  await expect(back.getByRole("region", { name: "Terminal" })).toBeVisible();
  await doStep(back);
  await expect(back.getByRole("heading", { name: /Scenario complete/ })).toBeVisible();
  await back.goto("/");
  await expect(mine.getByRole("link", { name: "Open Workshop warm-up" })).toBeVisible();
  await expect(mine).not.toContainText("Step 2 of 2");
  await back.goto(LAB);
  await back.getByRole("button", { name: "Stop" }).click();
  await again.close();
});

test("a guest becomes an account without losing progress, and finds it again on another browser", async ({
  browser,
}) => {
  const email = uniqueEmail("learner");
  const password = "learner password 1";
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(LAB);
  await startLab(page);
  await doStep(page);
  await page.getByRole("button", { name: "Stop" }).click();

  await page.goto("/sign-up");
  await page.getByLabel("Name").fill("Lee Learner");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  // The browser's own check stops a short password; the server's says why if it gets one anyway.
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByTestId("signed-in-as")).toHaveText("Lee Learner");
  await expect(page.getByRole("region", { name: "Your labs" })).toContainText("Step 2 of 2");

  // Signed out, this browser is a new guest with nothing.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Your labs" })).toHaveCount(0);
  await context.close();

  // Another browser: signing in brings the progress.
  const other = await browser.newContext();
  const elsewhere = await other.newPage();
  await signIn(elsewhere, email, password);
  await expect(elsewhere.getByRole("region", { name: "Your labs" })).toContainText("Step 2 of 2");
  await elsewhere.goto("/sign-in");
  await expect(elsewhere.getByText(`You are signed in as ${email}`)).toBeVisible();
  await other.close();
});

test("a wrong password says so; an existing email cannot sign up again", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.locator("form").getByRole("alert")).toHaveText("That email and password do not match an account.");
  await page.screenshot({ path: ".dockyard/test-results/sign-in-error.png" });
  await page.goto("/sign-up");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill("long enough password");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("form").getByRole("alert")).toContainText("exists");
});

test("session cookies are httpOnly and SameSite; sign-in attempts are limited per email", async ({ playwright }) => {
  const api = await playwright.request.newContext({ baseURL });
  const ok = await api.post("/api/auth/sign-in", { data: ADMIN });
  const cookies = ok.headersArray().filter((h) => h.name.toLowerCase() === "set-cookie");
  const session = cookies.find((c) => c.value.startsWith("dockyard_session="))?.value ?? "";
  expect(session).toMatch(/HttpOnly/);
  expect(session).toMatch(/SameSite=Lax/);
  expect(session).toMatch(/^dockyard_session=[A-Za-z0-9_-]{43};/);

  const email = uniqueEmail("target");
  const statuses: number[] = [];
  for (let i = 0; i < 11; i++) {
    const res = await api.post("/api/auth/sign-in", { data: { email, password: `guess ${i} password` } });
    statuses.push(res.status());
    if (res.status() === 429) expect(Number(res.headers()["retry-after"])).toBeGreaterThan(0);
  }
  expect(statuses).toEqual([...Array(10).fill(401), 429]);
  await api.dispose();
});

test("a change from another site, or from a port preview, is refused (CSRF)", async () => {
  const admin = await apiAs(ADMIN.email, ADMIN.password);
  const body = { data: { email: uniqueEmail("csrf"), password: "csrf password 1", role: "admin" } };
  for (const headers of [
    { origin: "http://evil.example" },
    { origin: "http://s-0123456789abcdef-80.localhost:3101" },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
  ]) {
    const res = await admin.post("/api/admin/users", { ...body, headers });
    expect(res.status(), JSON.stringify(headers)).toBe(403);
    expect(await res.text()).toContain("CSRF");
  }
  // The same request from Dockyard's own page goes through.
  const same = await admin.post("/api/admin/users", { ...body, headers: { origin: baseURL } });
  expect(same.status()).toBe(201);
  await admin.dispose();
});

test("a password is changed from the account page: this browser stays signed in, every other one is signed out", async ({
  browser,
}) => {
  const account = await makeAccount("attendee", "Pat");
  const here = await browser.newContext();
  const elsewhere = await browser.newContext();
  const page = await here.newPage();
  const other = await elsewhere.newPage();
  await signIn(page, account.email, account.password);
  await signIn(other, account.email, account.password);
  await page.getByTestId("signed-in-as").click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  const form = page.getByRole("form", { name: "Change password" });
  await form.getByLabel("Current password").fill("not my password");
  await form.getByLabel("New password", { exact: true }).fill("a new password 42");
  await form.getByLabel("New password again").fill("a new password 42");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("alert")).toHaveText("That is not your current password.");
  await form.getByLabel("Current password").fill(account.password);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("status")).toContainText("Password changed");
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await other.reload();
  await expect(other.getByRole("link", { name: "Sign in" })).toBeVisible();
  await signIn(other, account.email, "a new password 42");
  await Promise.all([here.close(), elsewhere.close()]);
});
