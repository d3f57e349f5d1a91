import { expect, type Page, test } from "@playwright/test";

// Katacoda's own example, unchanged: `{{execute T2}}` opens a second terminal and runs there.

const visibleScreen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

test("commands for terminal 2 open a second terminal; the first keeps its own", async ({ page }) => {
  await page.goto("/scenarios/opening-multiple-terminals");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);

  await page.locator('[data-step-body] code[data-terminal="2"]').first().click();
  await expect(page.getByRole("tab", { name: "Terminal 2" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => visibleScreen(page)).toMatch(/^Run in T2$/m);

  await page.locator('[data-step-body] code[data-terminal="1"]').first().click();
  await expect(page.getByRole("tab", { name: "Terminal 1" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => visibleScreen(page)).toMatch(/^Run in T1$/m);
  expect(await visibleScreen(page)).not.toMatch(/^Run in T2$/m);

  // A third terminal on demand.
  await page.getByRole("button", { name: "Open another terminal" }).click();
  await expect(page.getByRole("tab", { name: "Terminal 3" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);
  await page.screenshot({ path: ".dockyard/test-results/terminals.png" });

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});

test("HOST2 commands run in a terminal on the second host, which reaches the first by name", async ({ page }) => {
  // Katacoda's terminal-terminal example, unchanged: two hosts of its docker-swarm environment (the journeys run with
  // the docker environment on, as the Swarm lab needs).
  await page.goto("/scenarios/uilayout-terminal-terminal");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host01/);

  await page.locator('[data-step-body] code[data-host="2"]').click();
  await expect(page.getByRole("tab", { name: "host02" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => visibleScreen(page)).toMatch(/root@host02/);
  await expect.poll(() => visibleScreen(page)).toMatch(/^Running a command on Host 2$/m);
  await page.getByRole("region", { name: "Terminal" }).locator(".xterm").click();
  await page.keyboard.type("getent hosts host01 && echo reached-$(hostname)\n");
  await expect.poll(() => visibleScreen(page)).toMatch(/^reached-host02$/m);

  await page.locator('[data-step-body] code[data-host="1"]').click();
  await expect(page.getByRole("tab", { name: "Terminal 1" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => visibleScreen(page)).toMatch(/^Running a command on Host 1$/m);
  await page.screenshot({ path: ".dockyard/test-results/two-hosts.png" });

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
