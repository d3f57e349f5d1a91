import { randomBytes } from "node:crypto";
import { type APIRequestContext, type BrowserContext, expect, type Page, request } from "@playwright/test";

/** Made at start from DOCKYARD_ADMIN_EMAIL/PASSWORD (playwright.config.ts). */
export const ADMIN = { email: "admin@e2e.test", password: "e2e admin password" };

export const baseURL = `http://localhost:${Number(process.env.E2E_PORT ?? 3100)}`;

/** A fresh address per call: the journeys share one database. */
export const uniqueEmail = (who: string) => `${who}-${randomBytes(4).toString("hex")}@e2e.test`;

/** An API client signed in as `email` (no browser: it sends no Origin, as any non-browser client). */
export async function apiAs(email: string, password: string): Promise<APIRequestContext> {
  const api = await request.newContext({ baseURL });
  const res = await api.post("/api/auth/sign-in", { data: { email, password } });
  expect(res.status(), await res.text()).toBe(200);
  return api;
}

/** An account made by the admin, with a role. */
export async function makeAccount(role: "attendee" | "instructor" | "admin", who = role) {
  const account = { email: uniqueEmail(who), password: `${who} password 123`, displayName: who };
  const admin = await apiAs(ADMIN.email, ADMIN.password);
  const res = await admin.post("/api/admin/users", { data: { ...account, role } });
  expect(res.status(), await res.text()).toBe(201);
  const { user } = (await res.json()) as { user: { id: string } };
  await admin.dispose();
  return { ...account, id: user.id };
}

/** Signs a browser in through the sign-in page, as a person does. */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** The browser context's cookies and storage, as a browser keeps them on disk between runs. */
export const saved = (context: BrowserContext) => context.storageState();
