import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { authenticate, createAccount, createDb } from "@dockyard/db";
import { createTestDatabase } from "@dockyard/db/test-database";
import { afterAll, describe, expect, it } from "vitest";

const bin = resolve(import.meta.dirname, "../bin/dockyard.mjs");
const migrateScript = resolve(import.meta.dirname, "../../db/scripts/migrate.ts");
// The commands migrate it again, which finds nothing to do; they connect by its URL as an operator's would.
const store = await createTestDatabase();
const { url } = store;
afterAll(() => store.drop());

/** The real command in a child process, as an operator runs it. */
const dockyard = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  spawnSync("node", [bin, ...args], {
    encoding: "utf8",
    input: options.input ?? "",
    env: { ...process.env, DATABASE_URL: url, DOCKYARD_ADMIN_PASSWORD: "", ...options.env },
  });

async function signInAs(email: string, password: string) {
  const db = createDb(url);
  try {
    return await authenticate(db, email, password);
  } finally {
    await db.$disconnect();
  }
}

describe("dockyard admin create", () => {
  it("makes an admin with the password from standard input, never from the arguments", async () => {
    const run = dockyard(["admin", "create", "--email", "root@example.com", "--name", "Root"], {
      input: "a long admin password\n",
    });
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain("made root@example.com an admin account");
    expect(run.status).toBe(0);
    expect((await signInAs("root@example.com", "a long admin password"))?.role).toBe("admin");
  });

  it("refuses a weak password and a missing email, with a clear line and a non-zero exit", () => {
    const weak = dockyard(["admin", "create", "--email", "weak@example.com"], { input: "short\n" });
    expect(weak.status).toBe(1);
    expect(weak.stderr).toContain("at least 10 characters");
    const missing = dockyard(["admin", "create"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("--email is required");
  });

  it("leaves an existing account alone unless told to promote it, and then gives it the operator's password", async () => {
    const again = dockyard(["admin", "create", "--email", "root@example.com"], { input: "another password!\n" });
    expect(again.stdout).toContain("already exists");
    // Its password did not change.
    expect(await signInAs("root@example.com", "a long admin password")).not.toBeNull();
    // An account someone else made (say, by signing up first with the operator's address) is promoted only with a
    // password the operator chose.
    const db = createDb(url);
    await createAccount(db, { email: "squatter@example.com", password: "the squatter's password" });
    await db.$disconnect();
    const promoted = dockyard(["admin", "create", "--email", "squatter@example.com", "--promote"], {
      input: "the operator's password\n",
    });
    expect(promoted.stdout).toContain("is now an admin");
    expect(await signInAs("squatter@example.com", "the squatter's password")).toBeNull();
    expect((await signInAs("squatter@example.com", "the operator's password"))?.role).toBe("admin");
  });

  it("makes the first admin at start from DOCKYARD_ADMIN_EMAIL and DOCKYARD_ADMIN_PASSWORD, once", async () => {
    const env = { DOCKYARD_ADMIN_EMAIL: "boot@example.com", DOCKYARD_ADMIN_PASSWORD: "boot password 123" };
    const migrate = () =>
      spawnSync("node", ["--import", "tsx", migrateScript], {
        encoding: "utf8",
        env: { ...process.env, DATABASE_URL: url, ...env },
      });
    expect(migrate().stdout).toContain("made the first admin, boot@example.com");
    expect(migrate().stdout).not.toContain("made the first admin");
    expect((await signInAs("boot@example.com", "boot password 123"))?.role).toBe("admin");
    // An address someone else took first stops the start, saying so.
    const db = createDb(url);
    await createAccount(db, { email: "taken@example.com", password: "someone else's" });
    await db.$disconnect();
    const taken = spawnSync("node", ["--import", "tsx", migrateScript], {
      encoding: "utf8",
      env: {
        ...process.env,
        DATABASE_URL: url,
        DOCKYARD_ADMIN_EMAIL: "taken@example.com",
        DOCKYARD_ADMIN_PASSWORD: "operator password",
      },
    });
    expect(taken.status).toBe(1);
    expect(taken.stderr).toContain("taken@example.com exists and is not an admin");
  });
});
