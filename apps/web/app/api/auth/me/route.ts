import { currentViewer } from "@/server/user.ts";

export const dynamic = "force-dynamic";

/** Who this browser is: a guest, or an account with its role. */
export async function GET() {
  const viewer = await currentViewer();
  return Response.json({ guest: !viewer?.account, account: viewer?.account ?? null });
}
