import { listScriptRuns } from "@dockyard/db";
import { db } from "@/server/db.ts";
import { env } from "@/server/env.ts";
import { runScript } from "@/server/gateway-client.ts";
import { requireOwnedSession } from "@/server/guards.ts";
import { fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** What the background logs hold now: the last 8 KiB of each, read in the sandbox. */
const READ_LOGS = `cd /var/log/killercoda 2>/dev/null || exit 0
for f in *.log; do [ -f "$f" ] || continue; printf '\\036%s\\037' "$f"; tail -c 8192 "$f"; done`;

/**
 * The Script log of one's own sandbox, in authoring mode: the newest script runs (verify, hint, file blocks,
 * background starts) with their output, and what the background scripts have written to /var/log/killercoda.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!env().DOCKYARD_AUTHORING) return fail("FORBIDDEN", "The script log is shown in authoring mode (npm run dev).");
  const owned = await requireOwnedSession((await params).id);
  if (!owned.ok) return owned.response;
  const runs = await listScriptRuns(db(), owned.session.id);
  let logs: { name: string; text: string }[] = [];
  if (owned.session.status === "running") {
    const read = await runScript(owned.session.id, { host: "host01", script: READ_LOGS, timeoutMs: 5_000 });
    if (read.ok) {
      logs = read.value.stdout
        .split("\u001e")
        .filter(Boolean)
        .map((entry) => {
          const [name = "", text = ""] = entry.split("\u001f");
          return { name, text };
        });
    }
  }
  return Response.json({
    runs: runs.map((r) => ({
      id: r.id,
      kind: r.kind,
      step: r.step,
      host: r.host,
      exitCode: r.exitCode,
      timedOut: r.timedOut,
      durationMs: r.durationMs,
      stdout: r.stdout,
      stderr: r.stderr,
      error: r.error,
      at: r.createdAt.toISOString(),
    })),
    logs,
  });
}
