import { expect, test } from "@playwright/test";

// A sandbox's time: a countdown from its lease, a warning near the end, and Extend (which the gateway grants).
test("the countdown warns near the end, and Extend gives the sandbox more time", async ({ page }) => {
  await page.clock.install();
  await page.goto("/scenarios/authoring");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  const timer = page.getByRole("timer", { name: "Time left in this sandbox" });
  // An hour, by default.
  await expect(timer).toHaveText(/^(60|59) min left$/);
  await expect(page.getByRole("button", { name: "Extend" })).toBeHidden();

  // Fifty-six minutes on: four minutes left.
  await page.clock.fastForward("56:00");
  await expect(timer).toHaveText(/^[34] min left$/);
  await page.screenshot({ path: ".dockyard/test-results/lease-warning.png" });
  await page.getByRole("button", { name: "Extend" }).click();
  await expect(timer).toHaveText(/^1 h [34] min left$/);
  await expect(page.getByRole("button", { name: "Extend" })).toBeHidden();

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});

test("Start streams its progress: queued, network, hosts (or a warm one), files, setup, ready", async ({ request }) => {
  await request.get("/");
  const res = await request.post("/api/scenarios/upload-assets/session");
  expect(res.status()).toBe(200);
  const events = (await res.text())
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; phase?: string; sessionId?: string });
  const steps = events.map((e) => e.phase ?? e.type);
  expect(steps.slice(0, 2)).toEqual(["session", "queued"]);
  expect(steps.slice(-3)).toEqual(["files", "setup", "ready"]);
  // Made cold, or handed over from the gateway's warm pool under that sandbox's own id.
  expect([
    ["network", "container", "starting"],
    ["starting", "session"],
  ]).toContainEqual(steps.slice(2, -3));
  const sessionId = events.filter((e) => e.type === "session").at(-1)?.sessionId;
  expect((await request.delete(`/api/sessions/${sessionId}`)).status()).toBe(200);
});
