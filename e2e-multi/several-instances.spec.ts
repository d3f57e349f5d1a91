import { execFileSync } from "node:child_process";
import { expect, type Page, test } from "@playwright/test";
import { INSTANCES } from "./instances.ts";

// Two web apps and two gateways on one PostgreSQL database: a lab started through the first is used through the
// second (its page, terminal and checks going through web 2 and gateway 2), and what happens to the sandbox through
// the first (more time, Stop) reaches the terminal the second gateway serves.

const [one, two] = INSTANCES as [(typeof INSTANCES)[0], (typeof INSTANCES)[0]];

const screen = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.locator(".xterm-rows").innerText()).replace(/\u00a0/g, " ");

/** The page's terminal sockets (their URLs) and the control frames they received. */
function sockets(page: Page) {
  const urls: string[] = [];
  const frames: string[] = [];
  page.on("websocket", (ws) => {
    urls.push(ws.url());
    ws.on("framereceived", ({ payload }) => {
      if (typeof payload === "string") frames.push(payload);
    });
  });
  return { urls, frames };
}

const containersOf = (sessionId: string) =>
  execFileSync("docker", ["ps", "-aq", "--filter", `label=dockyard.session=${sessionId}`], { encoding: "utf8" }).trim();

test("a lab started through web 1 is used through web 2 and gateway 2; Extend and Stop through web 1 reach it", async ({
  page: first,
  context,
}) => {
  const firstSockets = sockets(first);
  await first.goto(`${one.web}/scenarios/container-basics`);
  const tokenRequest = first.waitForRequest(/\/api\/sessions\/[^/]+\/terminal-token/);
  await first.getByRole("button", { name: "Start", exact: true }).click();
  const sessionId = /\/api\/sessions\/([^/]+)\/terminal-token/.exec((await tokenRequest).url())?.[1] ?? "";
  await expect.poll(() => screen(first)).toMatch(/root@host01/);
  expect(firstSockets.urls.at(-1)).toContain(`://localhost:${one.gatewayPort}/terminal?`);

  // The same visitor through the other web app: it finds the running sandbox, and its terminal goes to gateway 2.
  const second = await context.newPage();
  const secondSockets = sockets(second);
  await second.goto(`${two.web}/scenarios/container-basics`);
  await expect.poll(() => screen(second)).toMatch(/root@host01/);
  expect(secondSockets.urls.at(-1)).toContain(`://localhost:${two.gatewayPort}/terminal?`);
  await expect(second.getByRole("button", { name: "Start", exact: true })).toBeHidden();

  // Typed through gateway 2; the same shell (tmux) shows it through gateway 1 too.
  await second.getByRole("region", { name: "Terminal" }).locator(".xterm-screen").click();
  await second.keyboard.type("echo multi-$((6*7))");
  await second.keyboard.press("Enter");
  await expect.poll(() => screen(second)).toMatch(/^multi-42/m);
  await expect.poll(() => screen(first)).toMatch(/^multi-42/m);

  // A step's command run by click, and its check passed, all through web 2 and gateway 2.
  await second.locator('[data-step-body] [data-action="execute"]', { hasText: "pid1.txt" }).first().click();
  await expect(async () => {
    await second.getByRole("button", { name: "Check" }).click();
    await expect(second.getByRole("status").filter({ hasText: "Passed" })).toBeVisible({ timeout: 3000 });
  }).toPass({ timeout: 30_000 });

  // More time, asked for through web 1 (gateway 1): the countdown on web 2's page follows at once, because the
  // terminal gateway 2 serves was told.
  const timer = second.getByRole("timer", { name: "Time left in this sandbox" });
  await expect(timer).toHaveText(/^(60|59) min left$/);
  const extended = await first.evaluate(async (id) => {
    const res = await fetch(`/api/sessions/${id}/extend`, { method: "POST" });
    return { status: res.status, body: (await res.json()) as { lease: { expiresAt: string } } };
  }, sessionId);
  expect(extended.status).toBe(200);
  await expect
    .poll(() => secondSockets.frames.some((f) => f.includes(`"expiresAt":"${extended.body.lease.expiresAt}"`)))
    .toBe(true);
  await expect(timer).toHaveText(/^(2 h 0 min|1 h 59 min) left$/);

  // Stopped through web 1: web 2's page says the sandbox ended, and nothing of it is left.
  await first.getByRole("button", { name: "Stop" }).click();
  await expect(first.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  await expect(second.getByRole("alert").filter({ hasText: "The sandbox was stopped." })).toContainText(
    "Start it again to go on",
  );
  expect(secondSockets.frames.some((f) => f.includes('"type":"ended"'))).toBe(true);
  await second.screenshot({ path: ".dockyard/e2e-multi/ended-on-web-2.png" });
  await expect.poll(() => containersOf(sessionId)).toBe("");
});
