import { AccountError, authenticate, setPassword } from "@dockyard/db";
import { z } from "zod";
import { signIn } from "@/server/auth-cookies.ts";
import { db } from "@/server/db.ts";
import { requireAccount } from "@/server/guards.ts";
import { limiter } from "@/server/rate-limit.ts";
import { errorResponse, fail, parseBody } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const body = z.object({ current: z.string().max(1024), next: z.string().max(1024) });

/**
 * Changes the signed-in account's password, given the current one. Every other browser is signed out; this one
 * gets a new session. Wrong current passwords count with failed sign-ins.
 */
export async function POST(request: Request) {
  const signed = await requireAccount();
  if (!signed.ok) return signed.response;
  const { account } = signed;
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const failures = limiter("sign-in-email", 10, 15 * 60_000);
  const limited = failures.peek(account.email);
  if (!limited.ok) {
    return errorResponse({
      code: "LIMIT_REACHED",
      message: "Too many wrong passwords; wait a few minutes.",
      retryAfterSeconds: limited.retryAfterSeconds,
    });
  }
  if (!(await authenticate(db(), account.email, input.value.current))) {
    failures.hit(account.email);
    return fail("FORBIDDEN", "That is not your current password.");
  }
  try {
    await setPassword(db(), account.id, input.value.next);
  } catch (error) {
    if (error instanceof AccountError) return fail("BAD_REQUEST", error.message);
    throw error;
  }
  return signIn(request, account.id, Response.json({ ok: true }));
}
