import { execFileSync } from "node:child_process";
import { expect, type Page, test } from "@playwright/test";
import { ADMIN, makeAccount, signIn } from "./accounts.ts";
import { doStep, startLab } from "./lab-steps.ts";

// A live workshop from end to end, in Chromium against the real stack: an instructor makes an event with a warm
// pool, two attendees join with its code and work, the console follows them live and looks into a terminal
// read-only; an admin sees both sandboxes with live figures and stops one, and its attendee is told.

const terminalText = async (page: Page, scope = page.locator("body")) =>
  // biome-ignore lint/performance/useDomNodeTextContent: rows become lines only in the rendered text
  (await scope.locator(".xterm-rows").first().innerText()).replace(/\u00a0/g, " ");

const poolSandboxes = () =>
  execFileSync(
    "docker",
    ["ps", "-q", "--filter", "label=dockyard.user=dockyard-pool", "--filter", "label=dockyard.instance=e2e"],
    { encoding: "utf8" },
  )
    .trim()
    .split("\n")
    .filter(Boolean).length;

async function join(page: Page, code: string, name: string) {
  await page.goto("/");
  await page.getByRole("link", { name: "Join a workshop" }).click();
  await page.getByLabel("Event code").fill(code.toLowerCase());
  await page.getByLabel("Your name").fill(name);
  await page.getByRole("button", { name: "Join" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Docker day" })).toBeVisible();
  await expect(page.getByText(`you are ${name}`)).toBeVisible();
  await page.getByRole("link", { name: /Workshop warm-up/ }).click();
}

test("an instructor runs a live workshop, and an admin stops an attendee's sandbox", async ({ browser }) => {
  test.setTimeout(240_000);
  const instructor = await makeAccount("instructor", "Ines");

  // The instructor makes the event with a warm pool.
  const ic = await browser.newContext();
  const console_ = await ic.newPage();
  await signIn(console_, instructor.email, instructor.password);
  await console_.getByRole("link", { name: "Events" }).click();
  await expect(console_.getByText("No events yet")).toBeVisible();
  const poolBefore = poolSandboxes();
  const form = console_.getByRole("form", { name: "New event" });
  await form.getByLabel("Title").fill("Docker day");
  await form.getByRole("checkbox", { name: "Workshop warm-up" }).check();
  await form.getByLabel("Capacity").fill("10");
  await form.getByLabel("Keep warm").fill("3");
  await console_.screenshot({ path: ".dockyard/test-results/instructor-new-event.png" });
  await form.getByRole("button", { name: "Create event" }).click();
  await expect(console_.getByText("Live console")).toBeVisible();
  const code = (await console_.locator("p", { hasText: "Code" }).locator("strong").textContent()) ?? "";
  expect(code).toMatch(/^[A-Z0-9]{6}$/);
  await expect(console_.getByText("Nobody has joined yet")).toBeVisible();
  // Three more sandboxes of the event's kind are made ahead, on top of the default pool.
  await expect.poll(poolSandboxes, { timeout: 60_000 }).toBeGreaterThanOrEqual(poolBefore + 3);

  // Two attendees join with the code, as guests.
  const ac = await browser.newContext();
  const ann = await ac.newPage();
  await join(ann, code, "Ann");
  const bc = await browser.newContext();
  const bo = await bc.newPage();
  await join(bo, code, "Bo");

  const annRow = console_.locator('tr[data-attendee="Ann"]');
  const boRow = console_.locator('tr[data-attendee="Bo"]');
  await expect(annRow).toBeVisible();
  await expect(boRow).toBeVisible();

  // Ann starts (from the warm pool) and passes step 1; the console follows without a reload.
  await startLab(ann);
  await doStep(ann);
  await expect(annRow.locator('[data-step="workshop-warmup:1"]')).toHaveAttribute("data-state", "passed");
  await expect(annRow.locator('[data-step="workshop-warmup:2"]')).toHaveAttribute("data-state", "current");

  // Bo starts, and raises a hand on step 1.
  await startLab(bo);
  await bo.getByRole("button", { name: "Raise hand" }).click();
  await expect(bo.getByText("Your instructor sees you are on step 1.")).toBeVisible();
  await expect(boRow).toContainText(/Hand raised:\s*step 1/);
  await expect(boRow.locator('[data-step="workshop-warmup:1"]')).toHaveAttribute("data-state", "current");
  await expect(console_.getByText("Hands raised").locator("..")).toContainText("1");

  // A message to everyone reaches both lab pages.
  await console_.getByPlaceholder("Message to everyone").fill("Break until 11:00");
  await console_.getByRole("button", { name: "Send" }).click();
  await expect(ann.getByRole("status").filter({ hasText: "Break until 11:00" })).toBeVisible();
  await expect(bo.getByRole("status").filter({ hasText: "Break until 11:00" })).toBeVisible();

  // Watching Ann's terminal: her screen shows, typing there is refused, and she sees who watches.
  await ann.getByRole("region", { name: "Terminal" }).locator(".xterm-screen").click();
  await ann.keyboard.type("echo shown-to-$((6*7))");
  await ann.keyboard.press("Enter");
  await console_.getByRole("button", { name: "Watch Ann's terminal" }).click();
  const watch = console_.getByRole("region", { name: "Ann's terminal" });
  await expect(watch.getByTestId("watch-mode")).toHaveText(/Read-only/);
  await expect.poll(() => terminalText(console_, watch), { timeout: 20_000 }).toContain("shown-to-42");
  await expect(ann.getByTestId("watchers")).toContainText("Ines (instructor, read-only)");
  await watch.locator(".xterm-screen").click();
  await console_.keyboard.type("echo intruder-$((1+1))");
  await console_.keyboard.press("Enter");
  await ann.waitForTimeout(1500);
  expect(await terminalText(ann)).not.toContain("intruder");
  await console_.screenshot({ path: ".dockyard/test-results/instructor-console.png", fullPage: true });

  // The results as CSV.
  const csv = await console_.request.get(`${console_.url().replace("/instructor/events/", "/api/events/")}/results`);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const text = await csv.text();
  expect(text).toContain('"Ann"');
  expect(text).toContain('"Bo"');

  // The admin sees both sandboxes with live figures, and stops Ann's.
  const zc = await browser.newContext();
  const admin = await zc.newPage();
  await signIn(admin, ADMIN.email, ADMIN.password);
  await admin.getByRole("link", { name: "Admin", exact: true }).click();
  const annSandbox = admin.getByRole("row", { name: /^Ann\(guest\).*Workshop warm-up/ });
  const boSandbox = admin.getByRole("row", { name: /^Bo\(guest\).*Workshop warm-up/ });
  await expect(annSandbox).toBeVisible();
  await expect(boSandbox).toBeVisible();
  await expect(annSandbox.locator('[data-figure="memory"]')).not.toContainText(/^0 B/);
  await expect(annSandbox.locator('[data-figure="pids"]')).not.toHaveText("0");
  await expect(annSandbox.locator('[data-figure="cpu"]')).toHaveText(/^\d+\.\d%$/);
  await admin.getByPlaceholder("Search by owner").fill("Ann");
  await expect(boSandbox).toHaveCount(0);
  await admin.screenshot({ path: ".dockyard/test-results/admin-sandboxes.png", fullPage: true });
  await annSandbox.getByRole("button", { name: "Stop…" }).click();
  const dialog = admin.getByRole("dialog", { name: "Stop Ann's sandbox?" });
  await expect(dialog).toContainText("host01");
  await dialog.getByRole("button", { name: "Stop sandbox" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Stopped Ann's sandbox" })).toBeVisible();
  await expect(annSandbox).toHaveCount(0);

  // Ann's page says what happened; the watcher's panel closes with the reason.
  await expect(ann.getByText("An admin stopped this sandbox.")).toBeVisible();
  await expect(console_.getByText(/Ann's sandbox ended: An admin stopped this sandbox/)).toBeVisible();

  // Stopping all of the event's sandboxes: Bo's goes too, and Bo is told.
  await admin.getByPlaceholder("Search by owner").fill("");
  await admin.getByRole("combobox", { name: "Event" }).selectOption({ label: `Docker day (${code})` });
  await admin.getByRole("button", { name: "Stop all of Docker day…" }).click();
  const all = admin.getByRole("dialog", { name: "Stop the sandbox of Docker day?" });
  await expect(all).toContainText("Bo:");
  await all.getByRole("button", { name: "Stop sandbox" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "Stopped 1 sandbox of Docker day" })).toBeVisible();
  await expect(bo.getByText("An admin stopped the sandboxes of Docker day.")).toBeVisible();

  // It is in the audit log.
  await admin.getByRole("link", { name: "Audit log" }).click();
  await expect(admin.getByRole("row", { name: /session\.stop/ }).first()).toBeVisible();
  await expect(admin.getByRole("row", { name: /event\.create.*/ }).first()).toContainText(code);
  await expect(admin.getByRole("row", { name: /event\.stop-all/ }).first()).toContainText(code);

  for (const c of [ac, bc]) {
    const page = c.pages()[0] as Page;
    if (await page.getByRole("button", { name: "Stop" }).isVisible())
      await page.getByRole("button", { name: "Stop" }).click();
    await c.close();
  }
  await ic.close();
  await zc.close();
});
