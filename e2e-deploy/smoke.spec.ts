import { expect, type Page, test } from "@playwright/test";
import { doStep } from "../e2e/lab-steps.ts";

// The compose deployment as a learner and the operator meet it: over HTTPS through the proxy, a lab with a live
// terminal (WebSocket through /gw/), a passed check, a port preview on its wildcard host name, and the admin's sign-in
// (Secure cookies). `npm run deploy:smoke` deploys, runs this and tears down.

const screen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

async function typeInTerminal(page: Page, text: string) {
  await page.getByRole("region", { name: "Terminal" }).locator(".xterm-screen").click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

test("a lab over HTTPS: terminal, a passed check, and a port preview on its own host name", async ({
  page,
  baseURL,
}) => {
  const site = new URL(baseURL ?? "");
  await page.goto("/");
  await page.getByRole("link", { name: /Containers are not VMs/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Containers are not VMs" })).toBeVisible();

  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => screen(page), { timeout: 60_000 }).toMatch(/root@host01/);
  await typeInTerminal(page, "echo typed-$((6*7))");
  await expect.poll(() => screen(page)).toContain("typed-42");

  // Step 1 by its clickable commands, checked in the sandbox.
  await doStep(page);
  await expect(page.getByText("Step 2 of 4")).toBeVisible();

  // A web server in the sandbox, opened through the preview host that only its owner may use.
  await typeInTerminal(
    page,
    "mkdir -p /tmp/site && echo preview-$((2*21)) >/tmp/site/index.html && (cd /tmp/site && python3 -m http.server 8000 >/dev/null 2>&1 &)",
  );
  const preview = await page.context().newPage();
  await expect(async () => {
    await preview.goto("/scenarios/container-basics/traffic/host01/8000/");
    await expect(preview.locator("body")).toHaveText("preview-42", { timeout: 3000 });
  }).toPass({ timeout: 30_000 });
  const previewHost = new URL(preview.url()).host;
  expect(previewHost).toMatch(new RegExp(`^s-[0-9a-f]{16}-8000\\.${site.host.replace(/\./g, "\\.")}$`));
  await preview.close();

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});

test("the admin signs in over HTTPS and sees the admin pages", async ({ page }) => {
  const email = process.env.DOCKYARD_SMOKE_ADMIN_EMAIL;
  const password = process.env.DOCKYARD_SMOKE_ADMIN_PASSWORD;
  // scripts/deploy-smoke.mjs makes the first admin with these; a run without them has nothing to sign in with.
  if (!email || !password) throw new Error("DOCKYARD_SMOKE_ADMIN_EMAIL and DOCKYARD_SMOKE_ADMIN_PASSWORD must be set");
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  // Signed-in cookies are Secure and __Host- prefixed over HTTPS.
  const cookies = await page.context().cookies();
  expect(cookies.some((c) => c.name.startsWith("__Host-") && c.secure)).toBe(true);
  await page.getByRole("link", { name: "Admin", exact: true }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { level: 1, name: "Admin" })).toBeVisible();
});
