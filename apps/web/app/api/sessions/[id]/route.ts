import { deleteScriptRuns, markLabSession } from "@dockyard/db";
import { db } from "@/server/db.ts";
import { inspectSession, removeSession } from "@/server/gateway-client.ts";
import { requireOwnedSession } from "@/server/guards.ts";
import { errorResponse, fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

/** Stop: removes the sandbox's containers and network. Progress stays. */
export async function DELETE(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireOwnedSession((await params).id);
  if (!owned.ok) return owned.response;
  const removed = await removeSession(owned.session.id);
  if (!removed.ok) return errorResponse(removed.error);
  await markLabSession(db(), owned.session.id, "stopped");
  await deleteScriptRuns(db(), owned.session.id);
  return Response.json({ removed: removed.value });
}

/** The sandbox's state and lease (for the page's countdown). */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireOwnedSession((await params).id);
  if (!owned.ok) return owned.response;
  if (owned.session.status !== "running") {
    return fail("NOT_FOUND", owned.session.error ?? "The sandbox is not running.");
  }
  const info = await inspectSession(owned.session.id);
  if (!info.ok) return errorResponse(info.error);
  return Response.json({ hosts: info.value.hosts.map((h) => h.name), lease: info.value.lease ?? null });
}
