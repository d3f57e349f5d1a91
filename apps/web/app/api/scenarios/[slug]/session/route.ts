import { randomBytes } from "node:crypto";
import {
  createLabSession,
  findActiveLabSession,
  getProgress,
  renameLabSession,
  transitionLabSession,
} from "@dockyard/db";
import { createSessionEvent, type LabStartEvent } from "@dockyard/protocol";
import { readNdjson } from "@/lib/read-ndjson.ts";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { environmentFor } from "@/server/environments.ts";
import { inspectSession, removeSession, requestSession } from "@/server/gateway-client.ts";
import { requireUser } from "@/server/guards.ts";
import { withKeyLock } from "@/server/key-lock.ts";
import { prepareSandbox } from "@/server/page-scripts.ts";
import { limiter } from "@/server/rate-limit.ts";
import { errorResponse, fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const encode = (event: LabStartEvent) => new TextEncoder().encode(`${JSON.stringify(event)}\n`);
const ndjson = (body: ReadableStream<Uint8Array>) =>
  new Response(body, { headers: { "content-type": "application/x-ndjson", "cache-control": "no-store" } });

const GONE_MESSAGE = "The sandbox was gone.";
const STARTS_PER_MINUTE = 12;

/** Starts (or resumes) the user's sandbox for a scenario, streaming progress as newline-delimited JSON. */
export async function POST(_request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const user = await requireUser();
  if (!user.ok) return user.response;
  const { userId } = user;
  const scenario = await findScenario(slug);
  if (!scenario) return fail("NOT_FOUND", `No scenario ${slug}.`);

  // One decision at a time per user and scenario: two clicks never make two sandboxes.
  const decision = await withKeyLock(`${userId}:${slug}`, async () => {
    const active = await findActiveLabSession(db(), userId, slug);
    if (active?.status === "running") {
      const alive = await inspectSession(active.id);
      if (alive.ok && alive.value.hosts.every((h) => h.running)) {
        return { kind: "resume" as const, sessionId: active.id, hosts: alive.value.hosts.map((h) => h.name) };
      }
      // A gateway or Docker hiccup is not a reason to throw a learner's sandbox away.
      if (!alive.ok && alive.error.code !== "NOT_FOUND") return { kind: "error" as const, error: alive.error };
      await removeSession(active.id);
      await transitionLabSession(db(), active.id, ["running"], "stopped", GONE_MESSAGE);
    } else if (active) {
      // A start that never finished (its tab closed mid-way, or the server restarted): remove what it made.
      await removeSession(active.id);
      await transitionLabSession(db(), active.id, ["starting"], "failed", "Superseded by a new start.");
    }
    // New sandboxes per user are rate-limited (resuming one is not): a script cannot churn the engine.
    const limited = limiter("starts", STARTS_PER_MINUTE, 60_000).hit(userId);
    if (!limited.ok) {
      return {
        kind: "error" as const,
        error: {
          code: "LIMIT_REACHED" as const,
          message: `You started ${STARTS_PER_MINUTE} sandboxes in a minute; wait a moment.`,
          retryAfterSeconds: limited.retryAfterSeconds,
        },
      };
    }
    const sessionId = `s-${randomBytes(8).toString("hex")}`;
    await createLabSession(db(), { id: sessionId, userId, scenarioSlug: slug });
    return { kind: "create" as const, sessionId };
  });

  if (decision.kind === "error") return errorResponse(decision.error);
  if (decision.kind === "resume") {
    return ndjson(
      new ReadableStream({
        start(controller) {
          controller.enqueue(encode({ type: "session", sessionId: decision.sessionId }));
          controller.enqueue(encode({ type: "ready", hosts: decision.hosts }));
          controller.close();
        },
      }),
    );
  }

  // A sandbox from the gateway's warm pool keeps its own id; the record follows it (see below).
  let { sessionId } = decision;
  const environment = environmentFor(scenario.imageId);
  const upstream = await requestSession({
    sessionId,
    userId,
    scenario: slug,
    hosts: environment.hosts,
    ...(environment.internet === false ? { internet: false } : {}),
    ...(environment.engineLabels ? { engineLabels: environment.engineLabels } : {}),
  });
  if (!upstream.ok) {
    await transitionLabSession(db(), sessionId, ["starting"], "failed", upstream.error.message);
    return errorResponse(upstream.error);
  }

  // The database follows the gateway, not the browser: if the tab goes away mid-start the sandbox is still recorded
  // (and found again on the next visit), and one whose start was superseded meanwhile is removed.
  let cancelled = false;
  return ndjson(
    new ReadableStream({
      async start(controller) {
        const send = (event: LabStartEvent) => {
          if (cancelled) return;
          try {
            controller.enqueue(encode(event));
          } catch {
            cancelled = true;
          }
        };
        send({ type: "session", sessionId });
        send({ type: "progress", phase: "queued", message: "Asking for a sandbox" });
        let outcome: "running" | "failed" | undefined;
        try {
          await readNdjson(upstream.value, async (value) => {
            const event = createSessionEvent.safeParse(value);
            if (!event.success) return;
            // The hosts being up is not the end here: files and setup follow.
            if (event.data.type === "progress" && event.data.phase === "ready") return;
            if (event.data.type === "ready") {
              outcome = "running";
              const handed = event.data.sessionId ?? sessionId;
              // Under the same lock as the start decision: a newer Start either sees this one running (and resumes
              // it) or has already superseded it (and this sandbox goes).
              const became = await withKeyLock(`${userId}:${slug}`, async () => {
                if (handed !== sessionId && !(await renameLabSession(db(), sessionId, handed))) return false;
                return transitionLabSession(db(), handed, ["starting"], "running");
              });
              if (handed !== sessionId && became) {
                sessionId = handed;
                send({ type: "session", sessionId });
              }
              if (!became) {
                await removeSession(handed);
              } else {
                const progress = await getProgress(db(), userId, slug);
                await prepareSandbox(
                  sessionId,
                  scenario,
                  progress?.currentStep ?? 0,
                  event.data.hosts,
                  (phase, message) => send({ type: "progress", phase, message }),
                );
              }
            } else if (event.data.type === "error") {
              outcome = "failed";
              await transitionLabSession(db(), sessionId, ["starting"], "failed", event.data.message);
            }
            send(event.data);
            return undefined;
          });
        } catch {
          // The gateway connection broke; handled below.
        }
        if (!outcome) {
          const message = "The gateway stopped answering while the sandbox started.";
          await transitionLabSession(db(), sessionId, ["starting"], "failed", message);
          await removeSession(sessionId);
          send({ type: "error", code: "SANDBOX_FAILED", message });
        }
        if (!cancelled) controller.close();
      },
      cancel() {
        cancelled = true;
      },
    }),
  );
}
