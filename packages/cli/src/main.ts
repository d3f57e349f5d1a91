import { runAdmin } from "./admin-command.ts";
import { runImages } from "./images-command.ts";
import { runTest } from "./test-command.ts";
import { runValidate } from "./validate-command.ts";

const USAGE = `dockyard: validate and test Katacoda/Killercoda scenarios

  dockyard validate <path> [--json]       check a scenario, a course or a repository of them
  dockyard test <path> [--json] [--junit FILE] [--report FILE] [--lenient]
                                          run each scenario's steps in a real sandbox and check them: each
                                          verify fails before its step is done and passes after (--lenient:
                                          only after)
  dockyard images list [PATH]             the images the scenarios under PATH pull, and whether the mirror holds them
  dockyard images preload [PATH | IMAGE ...] [--force]
                                          build them from Debian packages and put them into the registry mirror
  dockyard admin create --email EMAIL [--name NAME] [--promote]
                                          make an admin account (password from DOCKYARD_ADMIN_PASSWORD or stdin)

  ENVIRONMENTS_FILE=FILE  a JSON map of image ids to hosts and images, laid over the built-in one
`;

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "validate") return await runValidate(rest);
    if (command === "test") return await runTest(rest);
    if (command === "admin") return await runAdmin(rest);
    if (command === "images") return await runImages(rest);
  } catch (error) {
    // Configuration problems (a broken ENVIRONMENTS_FILE, say): one clear line, no stack.
    process.stderr.write(`dockyard: ${(error as Error).message}\n`);
    return 2;
  }
  if (!command || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  process.stderr.write(`dockyard: unknown command "${command}"\n\n${USAGE}`);
  return 2;
}
