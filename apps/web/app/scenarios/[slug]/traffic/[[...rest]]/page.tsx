import { findActiveLabSession } from "@dockyard/db";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { inspectSession } from "@/server/gateway-client.ts";
import { isHostName, previewUrl } from "@/server/previews.ts";
import { currentUserId } from "@/server/user.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Open a port" };

type Props = {
  params: Promise<{ slug: string; rest?: string[] }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * `{{TRAFFIC_SELECTOR}}` and every preview link written before the sandbox existed lead here:
 * `/traffic/<host>/<port>/<path>` goes on to that port's preview of the learner's running sandbox, and `/traffic`
 * alone (or with a bad port) shows a picker.
 */
export default async function TrafficPage({ params, searchParams }: Props) {
  const { slug, rest = [] } = await params;
  const query = await searchParams;
  const scenario = await findScenario(slug);
  if (!scenario) notFound();
  const userId = await currentUserId();
  const session = userId ? await findActiveLabSession(db(), userId, slug) : null;
  const running = session?.status === "running" ? session : null;

  const [hostPart = one(query.host) ?? "host01", portPart = one(query.port), ...path] = rest;
  const port = Number(portPart);
  const host = isHostName(hostPart) ? hostPart : "host01";
  const wanted = portPart !== undefined && Number.isInteger(port) && port >= 1 && port <= 65535;
  if (running && wanted) {
    // The rest of the link (path and query) goes on to the preview.
    const rest = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (key === "host" || key === "port") continue;
      for (const v of Array.isArray(value) ? value : [value ?? ""]) rest.append(key, v);
    }
    const search = rest.size > 0 ? `?${rest}` : "";
    redirect(`${previewUrl({ sessionId: running.id, host, port })}${path.map(encodeURIComponent).join("/")}${search}`);
  }
  const state = running ? await inspectSession(running.id) : undefined;
  const hosts = state?.ok ? state.value.hosts.map((h) => h.name) : ["host01"];

  return (
    <main className="mx-auto w-full max-w-xl px-6 py-12">
      <p className="text-sm font-semibold text-sky-700">{scenario.title}</p>
      <h1 className="mt-1 text-2xl font-bold tracking-tight">Open a port of your sandbox</h1>
      {running ? (
        <>
          <p className="mt-2 text-slate-600">
            A web server in the sandbox opens in its own tab. It must listen on <code>0.0.0.0</code>, not only on
            localhost.
          </p>
          {portPart !== undefined && !wanted && (
            <p role="alert" className="mt-4 rounded-md bg-red-50 p-3 text-sm text-red-800">
              “{portPart}” is not a port: give a number from 1 to 65535.
            </p>
          )}
          <form method="get" className="mt-6 flex flex-wrap items-end gap-3">
            {hosts.length > 1 && (
              <label className="flex flex-col text-sm font-medium">
                Host
                <select name="host" defaultValue={host} className="mt-1 rounded-md border border-slate-300 px-3 py-2">
                  {hosts.map((h) => (
                    <option key={h}>{h}</option>
                  ))}
                </select>
              </label>
            )}
            <label className="flex flex-col text-sm font-medium">
              Port
              <input
                name="port"
                inputMode="numeric"
                pattern="[0-9]{1,5}"
                required
                placeholder="80"
                className="mt-1 w-32 rounded-md border border-slate-300 px-3 py-2"
              />
            </label>
            <button type="submit" className="rounded-lg bg-sky-600 px-4 py-2 font-semibold text-white hover:bg-sky-500">
              Open
            </button>
          </form>
          <div className="mt-6 flex flex-wrap gap-2">
            {[80, 3000, 8000, 8080].map((p) => (
              <a
                key={p}
                href={previewUrl({ sessionId: running.id, host: "host01", port: p })}
                className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50"
              >
                Port {p}
              </a>
            ))}
          </div>
        </>
      ) : (
        <p className="mt-4 rounded-md bg-amber-50 p-4 text-amber-900">
          Your sandbox is not running. Start it on the scenario page, then open this link again.
        </p>
      )}
      <Link href={`/scenarios/${encodeURIComponent(slug)}`} className="mt-8 inline-block text-sky-700 underline">
        Back to the scenario
      </Link>
    </main>
  );
}
