import { AccountError, countAdmins, createAccount } from "@dockyard/db";
import { z } from "zod";
import { signIn } from "@/server/auth-cookies.ts";
import { db } from "@/server/db.ts";
import { env } from "@/server/env.ts";
import { clientAddress, limiter } from "@/server/rate-limit.ts";
import { errorResponse, fail, parseBody } from "@/server/respond.ts";
import { currentViewer } from "@/server/user.ts";

export const dynamic = "force-dynamic";

const body = z.object({
  email: z.string().max(254),
  password: z.string().max(1024),
  displayName: z.string().trim().max(60).optional(),
});

/** Makes an account and signs in. A guest becomes the account, keeping their progress and sandboxes. */
export async function POST(request: Request) {
  if (!env().DOCKYARD_SIGNUP) return fail("FORBIDDEN", "Sign-up is closed here; ask an admin for an account.");
  // Nobody may take the first admin's address before the operator makes that account.
  if ((await countAdmins(db())) === 0) {
    return fail(
      "FORBIDDEN",
      "Sign-up opens once the first admin exists (npx dockyard admin create). Labs work without an account.",
    );
  }
  const address = clientAddress(request);
  const limited = limiter("sign-up", address ? 10 : 120, 3_600_000).hit(address ?? "all");
  if (!limited.ok) {
    return errorResponse({
      code: "LIMIT_REACHED",
      message: "Too many sign-ups; try again later.",
      retryAfterSeconds: limited.retryAfterSeconds,
    });
  }
  const input = await parseBody(request, body);
  if (!input.ok) return input.response;
  const viewer = await currentViewer();
  try {
    const account = await createAccount(db(), {
      ...input.value,
      guestId: viewer && !viewer.account ? viewer.userId : undefined,
    });
    return signIn(request, account.id, Response.json({ account }, { status: 201 }));
  } catch (error) {
    if (error instanceof AccountError) {
      return fail(error.code === "EMAIL_TAKEN" ? "CONFLICT" : "BAD_REQUEST", error.message);
    }
    throw error;
  }
}
