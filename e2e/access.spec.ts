import { expect, type Page, test } from "@playwright/test";
import { apiAs, makeAccount, signIn } from "./accounts.ts";
import { startLab } from "./lab-steps.ts";

// Who may do what, route by route, against the real stack. Every refusal of a signed-in person is a 403.

const UUID = "00000000-0000-4000-8000-000000000000";
const SID = "s-0123456789abcdef";

/** Every admin and instructor API, with a body it would accept from the right person. */
const ADMIN_APIS: [string, string, unknown?][] = [
  ["GET", "/api/admin/sessions"],
  ["POST", `/api/admin/sessions/${SID}/stop`],
  ["POST", `/api/admin/sessions/${SID}/extend`],
  ["GET", "/api/admin/users"],
  ["POST", "/api/admin/users", { email: "x@e2e.test", password: "long password 1", role: "admin" }],
  ["PATCH", `/api/admin/users/${UUID}`, { role: "admin" }],
  ["GET", "/api/admin/audit"],
  ["POST", `/api/admin/events/${UUID}/stop`],
  ["GET", "/api/admin/images/build"],
  ["POST", "/api/admin/images/build", { rebuild: false }],
  ["GET", "/api/admin/images/preload"],
  ["POST", "/api/admin/images/preload", { images: ["redis:7.0"] }],
];
const INSTRUCTOR_APIS = (eventId: string): [string, string, unknown?][] => [
  ["GET", "/api/events"],
  [
    "POST",
    "/api/events",
    {
      title: "t",
      scenarios: ["workshop-warmup"],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      capacity: 1,
    },
  ],
  ["GET", `/api/events/${eventId}/progress`],
  ["POST", `/api/events/${eventId}/messages`, { text: "hi" }],
  ["GET", `/api/events/${eventId}/results`],
  ["POST", `/api/events/${eventId}/watch-token?session=${SID}`],
  ["GET", "/api/instructor/scenario-tests"],
  ["POST", "/api/instructor/scenarios/workshop-warmup/test"],
];
const ADMIN_PAGES = ["/admin", "/admin/environments", "/admin/users", "/admin/audit"];
const INSTRUCTOR_PAGES = (eventId: string) => ["/instructor", "/instructor/scenarios", `/instructor/events/${eventId}`];

async function call(
  api: { fetch: (url: string, o: object) => Promise<{ status(): number }> },
  route: [string, string, unknown?],
) {
  const [method, path, data] = route;
  return (await api.fetch(path, { method, ...(data ? { data } : {}) })).status();
}

test("an attendee gets 403 from every admin and instructor page and API", async ({ browser }) => {
  const instructor = await makeAccount("instructor");
  const ins = await apiAs(instructor.email, instructor.password);
  const made = await ins.post("/api/events", { data: INSTRUCTOR_APIS(UUID)[1]?.[2] });
  const eventId = ((await made.json()) as { event: { id: string } }).event.id;

  const attendee = await makeAccount("attendee");
  const api = await apiAs(attendee.email, attendee.password);
  for (const route of [...ADMIN_APIS, ...INSTRUCTOR_APIS(eventId)]) {
    expect(await call(api, route), route.join(" ")).toBe(403);
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, attendee.email, attendee.password);
  for (const path of [...ADMIN_PAGES, ...INSTRUCTOR_PAGES(eventId)]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(403);
    await expect(page.getByRole("heading", { name: "This page is not for you" })).toBeVisible();
  }
  await page.screenshot({ path: ".dockyard/test-results/forbidden.png" });
  // A guest is asked to sign in (401 from APIs, the 403 page for pages).
  const guest = await browser.newContext();
  const g = await guest.newPage();
  await g.goto("/");
  for (const route of [...ADMIN_APIS, ...INSTRUCTOR_APIS(eventId)]) {
    const status = await g.evaluate(
      async ([method, path, data]) =>
        (await fetch(path as string, { method: method as string, ...(data ? { body: JSON.stringify(data) } : {}) }))
          .status,
      route,
    );
    expect(status, route.join(" ")).toBe(401);
  }
  expect((await g.goto("/admin"))?.status()).toBe(403);
  await Promise.all([context.close(), guest.close(), api.dispose(), ins.dispose()]);
});

test("an instructor gets 403 from admin routes and from another instructor's event", async () => {
  const mine = await makeAccount("instructor", "mine");
  const theirs = await makeAccount("instructor", "theirs");
  const owner = await apiAs(theirs.email, theirs.password);
  const made = await owner.post("/api/events", { data: INSTRUCTOR_APIS(UUID)[1]?.[2] });
  const eventId = ((await made.json()) as { event: { id: string } }).event.id;

  const api = await apiAs(mine.email, mine.password);
  for (const route of [...ADMIN_APIS, ...INSTRUCTOR_APIS(eventId).slice(2, 6)]) {
    expect(await call(api, route), route.join(" ")).toBe(403);
  }
  // Their own list does not show it.
  const list = (await (await api.get("/api/events")).json()) as { events: { id: string }[] };
  expect(list.events.map((e) => e.id)).not.toContain(eventId);
  // The owner may.
  expect(await call(owner, ["GET", `/api/events/${eventId}/progress`])).toBe(200);
  await Promise.all([api.dispose(), owner.dispose()]);
});

test("an attendee cannot reach another attendee's session, progress or terminal", async ({ browser }) => {
  const alice = await browser.newContext();
  const a = await alice.newPage();
  await a.goto("/scenarios/workshop-warmup");
  await startLab(a);
  const sessionId = await a.evaluate(async () => {
    const res = await fetch("/api/scenarios/workshop-warmup/session", { method: "POST" });
    return JSON.parse((await res.text()).split("\n")[0] ?? "{}").sessionId as string;
  });

  const bob = await makeAccount("attendee", "bob");
  const mallory = await browser.newContext();
  const m: Page = await mallory.newPage();
  await signIn(m, bob.email, bob.password);
  const statuses = await m.evaluate(async (id) => {
    const post = (path: string, body?: unknown) =>
      fetch(path, { method: "POST", ...(body ? { body: JSON.stringify(body) } : {}) }).then((r) => r.status);
    return {
      token: await post(`/api/sessions/${id}/terminal-token`),
      info: (await fetch(`/api/sessions/${id}`)).status,
      stop: (await fetch(`/api/sessions/${id}`, { method: "DELETE" })).status,
      extend: await post(`/api/sessions/${id}/extend`),
      scripts: (await fetch(`/api/sessions/${id}/scripts`)).status,
      files: await post(`/api/sessions/${id}/file-blocks`, { step: 0, index: 0 }),
    };
  }, sessionId);
  expect(statuses).toEqual({ token: 403, info: 403, stop: 403, extend: 403, scripts: 403, files: 403 });
  // The sandbox is untouched by all that.
  await expect(a.getByRole("region", { name: "Terminal" })).toBeVisible();
  await a.getByRole("button", { name: "Stop" }).click();
  await Promise.all([alice.close(), mallory.close()]);
});

test("a guest's id, which instructors and admins see, does not make anyone that guest", async ({ browser }) => {
  const instructor = await makeAccount("instructor", "ids");
  const ins = await apiAs(instructor.email, instructor.password);
  const made = await ins.post("/api/events", { data: INSTRUCTOR_APIS(UUID)[1]?.[2] });
  const { event } = (await made.json()) as { event: { id: string; code: string } };

  const guest = await browser.newContext();
  const g = await guest.newPage();
  await g.goto(`/join?code=${event.code}`);
  await g.getByLabel("Your name").fill("Gina");
  await g.getByRole("button", { name: "Join" }).click();
  await expect(g.getByText("you are Gina")).toBeVisible();
  const key = (await guest.cookies()).find((c) => c.name === "dockyard_uid")?.value ?? "";
  const { attendees } = (await (await ins.get(`/api/events/${event.id}/progress`)).json()) as {
    attendees: { userId: string; displayName: string }[];
  };
  const seen = attendees.find((a) => a.displayName === "Gina")?.userId ?? "";
  expect(seen).toMatch(/^g-[0-9a-f]{32}$/);
  expect(key).not.toBe(seen);
  expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);

  // A browser holding that id as its cookie is somebody new, not Gina.
  const impostor = await browser.newContext();
  await impostor.addCookies([{ name: "dockyard_uid", value: seen, url: g.url() }]);
  const i = await impostor.newPage();
  await i.goto("/");
  await expect(i.getByRole("region", { name: "Your workshops" })).toHaveCount(0);
  expect((await i.goto(`/events/${event.code}`))?.url()).toContain("/join");
  await Promise.all([guest.close(), impostor.close(), ins.dispose()]);
});
