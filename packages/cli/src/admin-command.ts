import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { AccountError, createDb, ensureAdmin } from "@dockyard/db";
import { migrate } from "@dockyard/db/migrate";

const HELP = `dockyard admin create --email EMAIL [--name NAME] [--promote]

  Makes an admin account. The password is read from DOCKYARD_ADMIN_PASSWORD, or from standard input (one line), so
  it never shows in the process list or the shell's history. --promote makes an existing account an admin instead,
  and gives it this password (its other sign-ins end): an account someone else made cannot keep their password.
  The database is DATABASE_URL (default .dockyard/dockyard.db; postgres://... for PostgreSQL); it is migrated
  first.
`;

/** One line from standard input; typed at a terminal, it is not echoed. */
async function readPassword(): Promise<string> {
  if (process.env.DOCKYARD_ADMIN_PASSWORD) return process.env.DOCKYARD_ADMIN_PASSWORD;
  const tty = process.stdin.isTTY === true;
  if (tty) {
    process.stderr.write("Password (at least 10 characters): ");
    spawnSync("stty", ["-echo"], { stdio: "inherit" });
  }
  let text = "";
  try {
    for await (const chunk of process.stdin) {
      text += String(chunk);
      if (text.includes("\n")) break;
    }
  } finally {
    if (tty) {
      spawnSync("stty", ["echo"], { stdio: "inherit" });
      process.stderr.write("\n");
    }
  }
  return text.split(/\r?\n/)[0] ?? "";
}

/** `dockyard admin create`: the first admin of a new installation, or another one. */
export async function runAdmin(argv: string[], root = resolve(import.meta.dirname, "../../..")): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "create") {
    process.stderr.write(HELP);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: "string" }, name: { type: "string" }, promote: { type: "boolean" } },
  });
  if (!values.email) {
    process.stderr.write(`dockyard: --email is required\n\n${HELP}`);
    return 2;
  }
  const url = process.env.DATABASE_URL ?? `file:${join(root, ".dockyard/dockyard.db")}`;
  await migrate(url, join(root, "prisma"));
  const db = createDb(url);
  try {
    const password = await readPassword();
    const { account, outcome } = await ensureAdmin(db, {
      email: values.email,
      password,
      displayName: values.name,
      promote: values.promote,
    });
    const said = {
      created: `made ${account.email} an admin account`,
      promoted: `${account.email} is now an admin`,
      exists: `${account.email} already exists (role ${account.role}); --promote makes it an admin`,
    }[outcome];
    process.stdout.write(`dockyard: ${said}\n`);
    return outcome === "exists" && account.role !== "admin" ? 1 : 0;
  } catch (error) {
    if (error instanceof AccountError) {
      process.stderr.write(`dockyard: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await db.$disconnect();
  }
}
