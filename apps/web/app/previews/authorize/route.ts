import { getLabSession } from "@dockyard/db";
import { PREVIEW_AUTH_PATH, plainPage, previewState } from "@dockyard/protocol";
import { mintPreviewToken } from "@dockyard/token";
import { db } from "@/server/db.ts";
import { env } from "@/server/env.ts";
import { previewOf } from "@/server/previews.ts";
import { currentUserId } from "@/server/user.ts";

export const dynamic = "force-dynamic";

/** People land here from a preview tab, so refusals are pages, not JSON. */
function page(status: number, title: string, detail: string): Response {
  return new Response(plainPage(title, detail, { href: "/", text: "Back to the scenarios" }), {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
  });
}

/**
 * The gateway sends viewers of a port preview here, with the state it gave their browser. The owner of the sandbox
 * gets a one-minute token naming that state and goes back to the preview, which trades it (in that browser only)
 * for a cookie of that preview host; anybody else gets 403.
 */
export async function GET(request: Request) {
  const query = new URL(request.url).searchParams;
  let url: URL;
  try {
    url = new URL(query.get("url") ?? "");
  } catch {
    return page(400, "Not a preview address", "This link does not lead to a port preview.");
  }
  const state = previewState.safeParse(query.get("state"));
  if (!state.success) return page(400, "Not a preview address", "Open the preview from the scenario page.");
  const target = previewOf(url);
  if (!target) return page(400, "Not a preview address", "This link does not lead to a port preview of Dockyard.");
  const userId = await currentUserId();
  const session = await getLabSession(db(), target.sessionId);
  if (session && (!userId || session.userId !== userId)) {
    return page(403, "This preview is not yours", "Port previews open only for the person whose sandbox it is.");
  }
  if (!session || !userId || session.status !== "running") {
    return page(404, "This sandbox is not running", "Start the scenario again; its preview links then work again.");
  }
  const token = mintPreviewToken(userId, target, state.data, env().DOCKYARD_SECRET);
  const next = `${url.pathname}${url.search}`;
  const location = `${url.origin}${PREVIEW_AUTH_PATH}?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`;
  return new Response(null, { status: 302, headers: { location, "cache-control": "no-store" } });
}
