import { authenticate, mergeGuestInto, normalizeEmail } from "@dockyard/db";
import { z } from "zod";
import { signIn } from "@/server/auth-cookies.ts";
import { db } from "@/server/db.ts";
import { clientAddress, limiter } from "@/server/rate-limit.ts";
import { errorResponse, fail, parseBody } from "@/server/respond.ts";
import { currentViewer } from "@/server/user.ts";

export const dynamic = "force-dynamic";

const body = z.object({ email: z.string().max(254), password: z.string().max(1024) });

/** Failed sign-ins allowed per email, and per client address when it is known, in a window. */
const SIGN_IN_FAILURES = { perEmail: 10, perClient: 30, windowMs: 15 * 60_000 };

/**
 * Signs in with email and password. What a guest did in this browser moves into the account. Wrong guesses are
 * limited per email and per client, so a password cannot be guessed at speed.
 */
export async function POST(request: Request) {
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const email = normalizeEmail(input.value.email);
  const address = clientAddress(request);
  const byEmail = limiter("sign-in-email", SIGN_IN_FAILURES.perEmail, SIGN_IN_FAILURES.windowMs);
  const byClient = limiter("sign-in-client", SIGN_IN_FAILURES.perClient, SIGN_IN_FAILURES.windowMs);
  // Only failures count, so guesses cannot lock the owner out for long: a right password always gets through
  // until 10 wrong ones came first (argon2's bounded concurrency keeps parallel guesses few).
  const limited = [byEmail.peek(email), ...(address ? [byClient.peek(address)] : [])].find((r) => !r.ok);
  if (limited && !limited.ok) {
    return errorResponse({
      code: "LIMIT_REACHED",
      message: "Too many sign-in attempts; wait a few minutes and try again.",
      retryAfterSeconds: limited.retryAfterSeconds,
    });
  }
  const account = await authenticate(db(), email, input.value.password);
  if (!account) {
    byEmail.hit(email);
    if (address) byClient.hit(address);
    return fail("UNAUTHENTICATED", "That email and password do not match an account.");
  }
  byEmail.reset(email);
  const viewer = await currentViewer();
  if (viewer && !viewer.account) await mergeGuestInto(db(), viewer.userId, account.id);
  return signIn(request, account.id, Response.json({ account }));
}
