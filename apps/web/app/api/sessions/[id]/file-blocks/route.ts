import { MAX_SCRIPT_BYTES } from "@dockyard/protocol";
import { FILE_BLOCK_TARGETS, fileBlockScript } from "@dockyard/scenario";
import { z } from "zod";
import { findScenario } from "@/server/catalog.ts";
import { requireOwnedSession } from "@/server/guards.ts";
import { errorResponse, fail, parseBody } from "@/server/respond.ts";
import { runLogged } from "@/server/script-log.ts";

export const dynamic = "force-dynamic";

const body = z.object({
  filename: z.string().min(1).max(1024),
  target: z.enum(FILE_BLOCK_TARGETS),
  marker: z.string().max(1024).optional(),
  content: z.string().max(MAX_SCRIPT_BYTES),
});

/** A click on a file block: writes its content into the learner's own sandbox, relative to the editor folder. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireOwnedSession((await params).id);
  if (!owned.ok) return owned.response;
  if (owned.session.status !== "running") return fail("CONFLICT", "Start the sandbox first.");
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  if (input.value.target === "insert" && !input.value.marker) return fail("BAD_REQUEST", "An insert needs a marker.");
  const scenario = await findScenario(owned.session.scenarioSlug);
  const { script, env } = fileBlockScript(input.value, scenario?.environment.editorPath ?? "/root");
  const run = await runLogged(
    owned.session.id,
    { host: "host01", script, env, timeoutMs: 30_000 },
    { kind: "file-block" },
  );
  if (!run.ok) return errorResponse(run.error);
  if (run.value.exitCode !== 0) {
    const reason = run.value.stderr.replace(/^FAIL:\s*/m, "").trim() || `exit ${run.value.exitCode}`;
    return fail("CONFLICT", `Could not write ${input.value.filename}: ${reason}`);
  }
  return Response.json({ wrote: input.value.filename });
}
