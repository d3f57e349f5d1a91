import { expect, test } from "@playwright/test";
import { ADMIN, apiAs, makeAccount, signIn } from "./accounts.ts";

// Admin → Engines against the real stack: the machine's own engine, registered at the gateway's start, and an
// engine that does not answer, refused with the reason. (Three real engines: apps/gateway/test/engines.test.ts.)

test("the admin sees the engines, and an engine that does not answer is not registered", async ({ page }) => {
  await signIn(page, ADMIN.email, ADMIN.password);
  await page.goto("/admin");
  await page.getByRole("link", { name: "Engines" }).click();
  await expect(page).toHaveURL(/\/admin\/engines$/);

  const local = page.locator('[data-engine="local"]');
  await expect(local).toBeVisible();
  await expect(local.getByText("up", { exact: true })).toBeVisible();
  await expect(local.getByText("unix:///var/run/docker.sock")).toBeVisible();
  await page.screenshot({ path: ".dockyard/test-results/admin-engines.png", fullPage: true });

  const form = page.getByRole("form", { name: "Register an engine" });
  await form.getByLabel("Name").fill("nowhere");
  await form.getByLabel("Endpoint").fill("unix:///run/dockyard-no-such-engine.sock");
  await form.getByLabel("Capacity (sandboxes)").fill("5");
  // An engine on this machine shares its network namespace: its session networks need a range of their own.
  await form.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "overlaps engine local's" })).toBeVisible();
  await form.getByLabel("Subnets for session networks").fill("10.217.0.0/16");
  await form.getByRole("button", { name: "Register" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "does not answer" })).toBeVisible();
  await expect(page.locator('[data-engine="nowhere"]')).toHaveCount(0);

  // The list the page showed is the API's, and nothing was added.
  const api = await apiAs(ADMIN.email, ADMIN.password);
  const listed = (await (await api.get("/api/admin/engines")).json()) as { name: string }[] | { engines: unknown[] };
  expect(JSON.stringify(listed)).not.toContain("nowhere");
  await api.dispose();
});

test("an attendee may neither list nor register engines", async () => {
  const attendee = await makeAccount("attendee", "engines");
  const api = await apiAs(attendee.email, attendee.password);
  expect((await api.get("/api/admin/engines")).status()).toBe(403);
  const post = await api.post("/api/admin/engines", {
    data: { name: "mine", endpoint: "unix:///var/run/docker.sock", capacity: 5, labels: [] },
  });
  expect(post.status()).toBe(403);
  await api.dispose();
});
