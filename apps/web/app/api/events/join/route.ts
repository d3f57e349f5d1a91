import { EventError, joinEvent } from "@dockyard/db";
import { z } from "zod";
import { db } from "@/server/db.ts";
import { requireUser } from "@/server/guards.ts";
import { limiter } from "@/server/rate-limit.ts";
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
  const limited = limiter("join", 20, 60_000).hit(user.userId);
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
    if (error instanceof EventError && error.code in STATUS) {
      return fail(STATUS[error.code as keyof typeof STATUS], error.message);
    }
    throw error;
  }
}
