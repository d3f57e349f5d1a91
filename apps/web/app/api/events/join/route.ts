import { EventError, joinEvent } from "@dockyard/db";
import { z } from "zod";
import { db } from "@/server/db.ts";
import { requireUser } from "@/server/guards.ts";
import { clientAddress, limiter } from "@/server/rate-limit.ts";
import { errorResponse, fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const body = z.object({
  code: z.string().trim().min(1).max(32),
  displayName: z.string().trim().min(1, "Give a name your instructor will know.").max(60),
});

const STATUS = { NOT_FOUND: "NOT_FOUND", FULL: "LIMIT_REACHED", ENDED: "CONFLICT", NOT_OPEN: "CONFLICT" } as const;

/** Joins an event by its code, guest or account alike. Wrong codes are limited, so codes cannot be guessed at speed. */
export async function POST(request: Request) {
  const user = await requireUser();
  if (!user.ok) return user.response;
  // Per visitor, and per client address behind a trusted proxy (a new guest id is only a dropped cookie away).
  const address = clientAddress(request);
  const limited = [
    limiter("join", 20, 60_000).hit(user.userId),
    ...(address ? [limiter("join-client", 30, 60_000).hit(address)] : []),
  ].find((r) => !r.ok) ?? { ok: true as const };
  if (!limited.ok) {
    return errorResponse({
      code: "LIMIT_REACHED",
      message: "Too many tries; wait a minute.",
      retryAfterSeconds: limited.retryAfterSeconds,
    });
  }
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  try {
    const event = await joinEvent(db(), { ...input.value, userId: user.userId });
    return Response.json({ event: { id: event.id, code: event.code, title: event.title } });
  } catch (error) {
    // Wrong codes from everyone together are limited too, so codes cannot be found by trying many.
    if (
      error instanceof EventError &&
      error.code === "NOT_FOUND" &&
      !limiter("join-wrong-code", 60, 60_000).hit("all").ok
    ) {
      return errorResponse({
        code: "LIMIT_REACHED",
        message: "Too many wrong codes lately; wait a minute.",
        retryAfterSeconds: 60,
      });
    }
    if (error instanceof EventError && error.code in STATUS) {
      return fail(STATUS[error.code as keyof typeof STATUS], error.message);
    }
    throw error;
  }
}
