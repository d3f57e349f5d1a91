import { execFileSync } from "node:child_process";
import { expect, type Page, test } from "@playwright/test";

// The workshop's Swarm lab from clicks only, in Chromium against the real stack: two hosts with their own Docker
// engines, a terminal on each, images from the registry mirror (no internet), every step checked in the sandbox.

const screen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.getByRole("region", { name: "Terminal" }).locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

/** What host01's swarm says of a service: its image and its last update's state (read beside the page, not in it). */
function serviceState(service: string): string {
  const host01 = execFileSync(
    "docker",
    [
      "ps",
      "-q",
      "--filter",
      "label=dockyard.instance=e2e",
      "--filter",
      "label=dockyard.scenario=docker-swarm",
      "--filter",
      "label=dockyard.host=host01",
    ],
    { encoding: "utf8" },
  )
    .trim()
    .split("\n")[0];
  if (!host01) return "";
  try {
    return execFileSync(
      "docker",
      [
        "exec",
        host01,
        "docker",
        "service",
        "inspect",
        "-f",
        "{{.Spec.TaskTemplate.ContainerSpec.Image}} {{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}",
        service,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    ).trim();
  } catch {
    return "";
  }
}

test.beforeAll(() => {
  // The images the lab pulls, in the mirror (quick when they are there already).
  execFileSync(
    "node",
    ["packages/cli/bin/dockyard.mjs", "images", "preload", "scenarios/docker-workshop/docker-swarm"],
    {
      stdio: "ignore",
      timeout: 600_000,
    },
  );
});

/** Clicks each of the step's commands in order, then Check until it passes, then Next. */
async function clickStep(
  page: Page,
  title: string,
  timeout: number,
  afterClicks?: () => Promise<void>,
  afterEach?: (i: number) => Promise<void>,
) {
  // The step's own page first: counting its commands while the last one's still shows would miss some.
  await expect(page.getByRole("heading", { name: title })).toBeVisible();
  const actions = page.locator('[data-step-body] [data-action="execute"]');
  const count = await actions.count();
  for (let i = 0; i < count; i++) {
    await actions.nth(i).click();
    // Typed into its terminal (a host's terminal may still be connecting) before the next one.
    await expect(actions.nth(i)).toHaveAttribute("data-ran", "", { timeout: 20_000 });
    await afterEach?.(i);
  }
  await afterClicks?.();
  await expect(async () => {
    await page.getByRole("button", { name: "Check" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout, intervals: [2000] });
  await page.getByRole("button", { name: "Next" }).click();
}

test("the Swarm lab runs in two terminals, host01 and host02, from clicks only", async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto("/scenarios/docker-swarm");
  await expect(page.getByRole("heading", { name: "Docker Swarm across two hosts" })).toBeVisible();
  // Two Docker hosts, as asked: no "plain Linux hosts" stand-in.
  await expect(page.getByText(/plain Linux host/)).toHaveCount(0);
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expect.poll(() => screen(page), { timeout: 60_000 }).toMatch(/root@host01/);
  // Start leads to the first step.
  await expect(page.locator("[data-step-body]")).toContainText("docker swarm init");

  // 1. swarm init on host01.
  await clickStep(page, "Initialise the swarm", 60_000);

  // 2. host02 joins with the token it fetched from host01's engine; host01 lists both nodes.
  await expect(page.getByRole("heading", { name: "Join host02" })).toBeVisible();
  await page.locator('[data-step-body] [data-action="execute"][data-host="2"]').first().click();
  await expect(page.getByRole("tab", { name: "host02" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/root@host02/);
  await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/SWMTKN-/);
  await page.locator('[data-step-body] [data-action="execute"][data-host="2"]').nth(1).click();
  await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/This node joined a swarm as a worker/);
  await page.locator('[data-step-body] [data-action="execute"]:not([data-host="2"])').first().click();
  await expect(page.getByRole("tab", { name: "Terminal 1" })).toHaveAttribute("aria-selected", "true");
  await expect.poll(() => screen(page), { timeout: 30_000 }).toMatch(/host02\s+Ready\s+Active/);
  await expect(async () => {
    await page.getByRole("button", { name: "Check" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 30_000 });
  await page.screenshot({ path: ".dockyard/test-results/swarm-nodes.png" });
  await page.getByRole("button", { name: "Next" }).click();

  // 3. An overlay network and a service with a task on each host; both answer over the overlay.
  await clickStep(page, "An overlay network and a service", 120_000, async () => {
    await expect(page.getByRole("tab", { name: "Terminal 1" })).toHaveAttribute("aria-selected", "true");
    await expect.poll(() => screen(page), { timeout: 120_000 }).toMatch(/v1: This request was processed by host/);
  });

  // 4. Limits, then five replicas.
  await clickStep(page, "Scale, with limits", 180_000);

  // 5. The rolling update to v2, one task at a time.
  // As a person would, the next update waits until the first has finished (the swarm writes down its end just after).
  await clickStep(page, "A rolling update", 240_000, undefined, async (i) => {
    if (i !== 0) return;
    await expect
      .poll(() => serviceState("http"), { timeout: 180_000 })
      .toMatch(/^dockyard\/http-server:v2@\S+ completed$/);
    await page.waitForTimeout(2000);
  });
  await expect(page.getByText("rolled out a new version one task at a time")).toBeVisible();
  await page.screenshot({ path: ".dockyard/test-results/swarm-done.png" });

  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
