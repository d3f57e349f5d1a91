import { scenarioPlace } from "@/server/catalog.ts";
import { env } from "@/server/env.ts";
import { watchFolder } from "@/server/folder-fingerprint.ts";
import { fail } from "@/server/respond.ts";

export const dynamic = "force-dynamic";

const KEEPALIVE_MS = 15_000;

/**
 * Authoring mode: a server-sent event stream that says `change` whenever a file of the scenario's folder changes,
 * so an open scenario page re-renders with the author's edit.
 */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  if (!env().DOCKYARD_AUTHORING) return fail("FORBIDDEN", "Live reload is on in authoring mode (npm run dev).");
  const place = await scenarioPlace((await params).slug);
  if (!place) return fail("NOT_FOUND", "No such scenario.");
  const encoder = new TextEncoder();
  let stop: () => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          stop();
        }
      };
      send("retry: 2000\n: watching\n\n");
      const unwatch = watchFolder(place.dir, () => send("event: change\ndata: {}\n\n"));
      const keepalive = setInterval(() => send(": keepalive\n\n"), KEEPALIVE_MS);
      stop = () => {
        unwatch();
        clearInterval(keepalive);
      };
      request.signal.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {}
      });
    },
    cancel: () => stop(),
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
}
