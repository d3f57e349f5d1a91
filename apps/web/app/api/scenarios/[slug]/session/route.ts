import { randomBytes } from "node:crypto";
import { createLabSession, findActiveLabSession, markLabSession } from "@dockyard/db";
import { createSessionEvent, type LabStartEvent } from "@dockyard/protocol";
import { readNdjson } from "@/lib/read-ndjson.ts";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { hostsFor } from "@/server/environments.ts";
import { inspectSession, removeSession, requestSession } from "@/server/gateway-client.ts";
import { requireUser } from "@/server/guards.ts";
import { errorResponse, fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const line = (event: LabStartEvent) => new TextEncoder().encode(`${JSON.stringify(event)}\n`);
const ndjson = (body: ReadableStream<Uint8Array>) =>
  new Response(body, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" } });

/** Starts (or resumes) the user's sandbox for a scenario, streaming progress as newline-delimited JSON. */
export async function POST(_request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await requireUser();
  if (!user.ok) return user.response;
  const { userId } = user;
  const scenario = await findScenario(slug);
  if (!scenario) return fail("NOT_FOUND", `No scenario ${slug}.`);

  const active = await findActiveLabSession(db(), userId, slug);
  if (active?.status === "running") {
    const alive = await inspectSession(active.id);
    if (alive.ok && alive.value.hosts.every((h) => h.running)) {
      return ndjson(
        new ReadableStream({
          start(controller) {
            controller.enqueue(line({ type: "session", sessionId: active.id }));
            controller.enqueue(line({ type: "ready", hosts: alive.value.hosts.map((h) => h.name) }));
            controller.close();
          },
        }),
      );
    }
    // Whatever is left of a broken sandbox goes before a new one starts.
    await removeSession(active.id);
    await markLabSession(db(), active.id, "stopped", "The sandbox was gone.");
  } else if (active) {
    // A start that never finished (the tab was closed or reloaded mid-way): remove what it made.
    await removeSession(active.id);
    await markLabSession(db(), active.id, "failed", "Superseded by a new start.");
  }

  const sessionId = `s-${randomBytes(8).toString("hex")}`;
  await createLabSession(db(), { id: sessionId, userId, scenarioSlug: slug });
  const upstream = await requestSession({ sessionId, userId, scenario: slug, hosts: hostsFor(scenario.imageId) });
  if (!upstream.ok) {
    await markLabSession(db(), sessionId, "failed", upstream.error.message);
    return errorResponse(upstream.error);
  }

  const upstreamBody = upstream.value;
  return ndjson(
    new ReadableStream({
      async start(controller) {
        controller.enqueue(line({ type: "session", sessionId }));
        let settled = false;
        const settle = async (status: "running" | "failed", error?: string) => {
          if (settled) return;
          settled = true;
          await markLabSession(db(), sessionId, status, error);
        };
        try {
          await readNdjson(upstreamBody, async (value) => {
            const event = createSessionEvent.safeParse(value);
            if (!event.success) return;
            if (event.data.type === "ready") await settle("running");
            if (event.data.type === "error") await settle("failed", event.data.message);
            controller.enqueue(line(event.data));
            return undefined;
          });
          if (!settled) {
            await settle("failed", "The gateway stopped answering.");
            controller.enqueue(
              line({ type: "error", code: "SANDBOX_FAILED", message: "The gateway stopped answering." }),
            );
          }
        } catch {
          await settle("failed", "The gateway connection broke.");
          controller.enqueue(line({ type: "error", code: "SANDBOX_FAILED", message: "The gateway connection broke." }));
        }
        controller.close();
      },
    }),
  );
}
