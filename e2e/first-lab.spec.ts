import { execFileSync } from "node:child_process";
import { expect, type Page, test } from "@playwright/test";

// The whole first lab as a person does it, in Chromium, against the real web app, gateway and Docker engine.

// The screen as text: xterm's DOM renderer uses no-break spaces and pads rows.
const terminalText = async (page: Page) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await page.locator(".xterm-rows").innerText())
    .replace(/\u00a0/g, " ")
    .split("\n")
    .map((row) => row.trimEnd())
    .join("\n");

async function typeInTerminal(page: Page, text: string) {
  await page.getByRole("region", { name: "Terminal" }).locator(".xterm-screen").click();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
}

async function expectInTerminal(page: Page, needle: string | RegExp) {
  await expect
    .poll(async () => {
      const text = await terminalText(page);
      return typeof needle === "string" ? text.includes(needle) : needle.test(text);
    })
    .toBe(true);
}

/** The (last line of a) command the page typed shows on screen, however the terminal wrapped it. */
async function expectEchoed(page: Page, command: string) {
  const squeeze = (text: string) => text.replace(/\s+/g, "");
  const last = command.trim().split("\n").at(-1) ?? "";
  await expect.poll(async () => squeeze(await terminalText(page)).includes(squeeze(last))).toBe(true);
}

const containersOf = (sessionId: string) =>
  execFileSync("docker", ["ps", "-aq", "--filter", `label=dockyard.session=${sessionId}`], { encoding: "utf8" }).trim();

test("catalog lists the bundled scenario with its details", async ({ page }) => {
  await page.goto("/");
  const card = page.getByRole("link", { name: /Containers are not VMs/ });
  await expect(card).toBeVisible();
  await expect(card).toContainText(/beginner/i);
  await expect(card).toContainText(/minutes/);
  await page.screenshot({ path: ".dockyard/test-results/catalog.png" });
});

test("start, type, run a command by click, pass a check, reload and keep progress, stop", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/");
  await page.getByRole("link", { name: /Containers are not VMs/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Containers are not VMs" })).toBeVisible();
  await expect(page.getByText("Step 1 of")).toBeVisible();

  // Start: progress, then a live terminal.
  await page.getByRole("button", { name: "Start", exact: true }).click();
  const terminal = page.getByRole("region", { name: "Terminal" });
  await expect(terminal).toBeVisible();
  await expectInTerminal(page, /root@host01/);

  // Typing, with colours and arithmetic done by the real shell.
  await typeInTerminal(page, "echo typed-$((6*7))");
  await expectInTerminal(page, "typed-42");

  // Resize: the shell sees the terminal's size change.
  await typeInTerminal(page, "clear; stty size");
  await expectInTerminal(page, /^\d+ \d+$/m);
  const before = (await terminalText(page)).match(/^(\d+) (\d+)$/m)?.[0];
  await page.setViewportSize({ width: 1000, height: 700 });
  await page.waitForTimeout(300);
  await typeInTerminal(page, "clear; stty size");
  await expect.poll(async () => (await terminalText(page)).match(/^(\d+) (\d+)$/m)?.[0]).not.toBe(before);
  await page.setViewportSize({ width: 1400, height: 900 });

  // Paste from the clipboard (Ctrl+Shift+V), then copy a selection (Ctrl+Shift+C).
  await page.evaluate(() => navigator.clipboard.writeText("echo pasted-$((2+3))"));
  await terminal.locator(".xterm-screen").click();
  await page.keyboard.press("Control+Shift+V");
  await page.keyboard.press("Enter");
  await expectInTerminal(page, "pasted-5");
  await page.evaluate(() => navigator.clipboard.writeText(""));
  await terminal.locator(".xterm-screen").click();
  // xterm re-renders rows as the cursor blinks: select by position, not by element.
  const rowIndex = await page
    .locator(".xterm-rows")
    .evaluate((rows) =>
      [...rows.children].findIndex((r) => (r.textContent ?? "").replace(/\u00a0/g, " ").trim() === "pasted-5"),
    );
  expect(rowIndex).toBeGreaterThanOrEqual(0);
  const row = await page.locator(`.xterm-rows > div:nth-child(${rowIndex + 1})`).boundingBox();
  await page.mouse.click((row?.x ?? 0) + 20, (row?.y ?? 0) + (row?.height ?? 0) / 2, { clickCount: 3 });
  await page.keyboard.press("Control+Shift+C");
  await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toMatch(/pasted/);

  // A check that fails first says why.
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Not yet" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Next" })).toBeDisabled();

  // Clicking the step's command runs it in the terminal; then the check passes and Next unlocks.
  const action = page.locator('[data-step-body] [data-action="execute"]', { hasText: "pid1.txt" }).first();
  const command = (await action.textContent()) ?? "";
  await action.click();
  await expectEchoed(page, command);
  await page.getByRole("button", { name: "Check" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible();
  await page.screenshot({ path: ".dockyard/test-results/lab-passed.png" });
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByText("Step 2 of")).toBeVisible();

  // Reload: still on step 2, step 1 marked done, the same sandbox still attached.
  await page.reload();
  await expect(page.getByText("Step 2 of")).toBeVisible();
  await expect(page.getByRole("list", { name: "Steps" }).getByRole("listitem").first()).toContainText("✓");
  await expectInTerminal(page, /root@host01/);
  await typeInTerminal(page, "cat /root/pid1.txt");
  await expectInTerminal(page, "tini");

  // The remaining steps the way a learner does them: run each of the step's commands by click, check, next.
  for (let step = 2; step <= 4; step++) {
    await expect(page.getByText(`Step ${step} of 4`)).toBeVisible();
    const actions = page.locator('[data-step-body] [data-action="execute"]');
    for (let i = 0; i < (await actions.count()); i++) {
      const command = (await actions.nth(i).textContent()) ?? "";
      await actions.nth(i).click();
      await expectEchoed(page, command);
    }
    await expect(async () => {
      await page.getByRole("button", { name: "Check" }).click();
      await expect(page.getByRole("status").filter({ hasText: "Passed" })).toBeVisible({ timeout: 3000 });
    }).toPass({ timeout: 20_000 });
    await page.getByRole("button", { name: "Next" }).click();
  }
  await expect(page.getByRole("heading", { name: /Scenario complete/ })).toBeVisible();
  const summary = page.getByRole("table", { name: "Your run" });
  await expect(summary.getByRole("row")).toHaveCount(5);
  await expect(summary).not.toContainText("—");
  await page.screenshot({ path: ".dockyard/test-results/lab-complete.png" });

  // The finished run survives a reload too.
  await page.reload();
  await expect(page.getByRole("heading", { name: /Scenario complete/ })).toBeVisible();

  // Stop removes the sandbox's containers.
  const sessionId = await page.evaluate(async () => {
    const res = await fetch(`${location.pathname.replace("/scenarios/", "/api/scenarios/")}/session`, {
      method: "POST",
    });
    const lines = (await res.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    return lines[0].sessionId as string;
  });
  expect(containersOf(sessionId)).not.toBe("");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  expect(containersOf(sessionId)).toBe("");
});

test("one visitor cannot reach another visitor's sandbox", async ({ browser }) => {
  const alice = await browser.newContext();
  const mallory = await browser.newContext();
  const a = await alice.newPage();
  await a.goto("/scenarios/container-basics");
  await a.getByRole("button", { name: "Start", exact: true }).click();
  await expect(a.getByRole("region", { name: "Terminal" })).toBeVisible();
  const sessionId = await a.evaluate(async () => {
    const res = await fetch("/api/scenarios/container-basics/session", { method: "POST" });
    return JSON.parse((await res.text()).split("\n")[0] ?? "{}").sessionId as string;
  });

  const m = await mallory.newPage();
  await m.goto("/");
  const attempts = await m.evaluate(async (id) => {
    const token = await fetch(`/api/sessions/${id}/terminal-token`, { method: "POST" });
    const stop = await fetch(`/api/sessions/${id}`, { method: "DELETE" });
    return [token.status, stop.status];
  }, sessionId);
  expect(attempts).toEqual([403, 403]);
  expect(containersOf(sessionId)).not.toBe("");

  await a.getByRole("button", { name: "Stop" }).click();
  await expect(a.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  expect(containersOf(sessionId)).toBe("");
  await alice.close();
  await mallory.close();
});

test("a command run before Start, by click or keyboard, says what to do", async ({ page }) => {
  await page.goto("/scenarios/container-basics");
  const action = page.locator('[data-step-body] [data-action="execute"]').first();
  await action.focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Start the sandbox first" })).toBeVisible();
});

test("a sandbox removed behind the page's back can be started again, with progress kept", async ({ page }) => {
  await page.goto("/scenarios/container-basics");
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expectInTerminal(page, /root@host01/);
  const sessionId = await page.evaluate(async () => {
    const res = await fetch("/api/scenarios/container-basics/session", { method: "POST" });
    return JSON.parse((await res.text()).split("\n")[0] ?? "{}").sessionId as string;
  });
  // An admin (or a reboot) removes the sandbox.
  execFileSync("docker", ["rm", "-f", ...containersOf(sessionId).split("\n")]);
  await page.reload();
  await expect(page.getByRole("alert").filter({ hasText: "stopped" })).toBeVisible();
  await page.getByRole("button", { name: "Start", exact: true }).click();
  await expectInTerminal(page, /root@host01/);
  await typeInTerminal(page, "echo back-$((1+1))");
  await expectInTerminal(page, "back-2");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Start", exact: true })).toBeVisible();
});
