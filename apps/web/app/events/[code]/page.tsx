import { getProgress, normalizeCode } from "@dockyard/db";
import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { LocalTime } from "@/app/_components/local-time.tsx";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { currentUserId } from "@/server/user.ts";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Workshop" };

/** An attendee's view of their workshop: its scenarios in order, with their progress. Only for those who joined. */
export default async function EventPage({ params }: { params: Promise<{ code: string }> }) {
  const code = normalizeCode((await params).code).slice(0, 32);
  const userId = await currentUserId();
  const event = await db().event.findUnique({ where: { code } });
  const attending =
    event && userId
      ? await db().eventAttendee.findUnique({ where: { eventId_userId: { eventId: event.id, userId } } })
      : null;
  if (!event || !attending) redirect(`/join?code=${encodeURIComponent(code)}`);
  const slugs = JSON.parse(event.scenarios) as string[];
  const items = await Promise.all(
    slugs.map(async (slug) => ({
      slug,
      scenario: await findScenario(slug),
      progress: userId ? await getProgress(db(), userId, slug) : null,
    })),
  );
  const now = new Date();
  return (
    <main className="mx-auto w-full max-w-3xl flex-1 px-6 py-10">
      <p className="text-sm font-semibold text-violet-700">Workshop · {event.code}</p>
      <h1 className="mt-1 text-3xl font-bold tracking-tight">{event.title}</h1>
      <p className="mt-2 text-slate-600">
        <LocalTime iso={event.startsAt.toISOString()} /> to <LocalTime iso={event.endsAt.toISOString()} /> · you are{" "}
        <strong>{attending.displayName}</strong>
        {now < event.startsAt ? " · it has not started yet, but you can look around" : ""}
      </p>
      <ol className="mt-8 space-y-3">
        {items.map(({ slug, scenario, progress }, i) => {
          const total = scenario?.steps.length ?? 0;
          const state = progress?.completedAt
            ? "Done"
            : progress
              ? `Step ${Math.min(progress.currentStep + 1, total)} of ${total}`
              : "Not started";
          return (
            <li key={slug}>
              <Link
                href={`/scenarios/${slug}`}
                className="flex items-center gap-4 rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-sky-400 focus-visible:outline-3 focus-visible:outline-sky-500"
              >
                <span className="grid h-9 w-9 shrink-0 place-items-center rounded-full bg-slate-100 font-bold text-slate-600">
                  {i + 1}
                </span>
                <span className="min-w-0 flex-1">
                  <span className="block font-semibold">{scenario?.title ?? slug}</span>
                  <span className="block truncate text-sm text-slate-600">{scenario?.description}</span>
                </span>
                <span
                  className={`shrink-0 rounded-full px-2.5 py-1 text-xs font-semibold ${
                    progress?.completedAt
                      ? "bg-emerald-600 text-white"
                      : progress
                        ? "bg-amber-100 text-amber-900"
                        : "bg-slate-100 text-slate-600"
                  }`}
                >
                  {state}
                </span>
              </Link>
            </li>
          );
        })}
      </ol>
    </main>
  );
}
