import { listEvents } from "@dockyard/db";
import type { Metadata } from "next";
import Link from "next/link";
import { LocalTime } from "@/app/_components/local-time.tsx";
import { library } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { requirePageRole } from "@/server/guards.ts";
import { NewEventForm } from "./_components/new-event-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Your events" };

export default async function InstructorPage() {
  const account = await requirePageRole("instructor");
  const events = await listEvents(db(), account.role === "admin" ? undefined : account.id);
  const { scenarios } = await library();
  const now = new Date();
  return (
    <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-bold tracking-tight">Your events</h1>
        <Link href="/instructor/scenarios" className="text-sm font-semibold text-sky-700 hover:underline">
          Scenarios: preview and test
        </Link>
      </div>
      <div className="mt-5 grid gap-6 lg:grid-cols-[1fr_24rem]">
        <section aria-label="Events">
          {events.length === 0 ? (
            <p className="rounded-xl border border-dashed border-slate-300 p-8 text-center text-slate-600">
              No events yet. Create one: attendees join with its code.
            </p>
          ) : (
            <ul className="space-y-3">
              {events.map((event) => {
                const state = now < event.startsAt ? "upcoming" : now < event.endsAt ? "live" : "ended";
                return (
                  <li key={event.id}>
                    <Link
                      href={`/instructor/events/${event.id}`}
                      className="flex flex-wrap items-center gap-x-4 gap-y-1 rounded-xl border border-slate-200 bg-white p-4 shadow-sm hover:border-sky-400 focus-visible:outline-3 focus-visible:outline-sky-500"
                    >
                      <span className="min-w-0 flex-1">
                        <span className="block font-semibold">{event.title}</span>
                        <span className="block text-sm text-slate-600">
                          <LocalTime iso={event.startsAt.toISOString()} /> –{" "}
                          <LocalTime iso={event.endsAt.toISOString()} /> · {event.scenarios.length} scenarios
                        </span>
                      </span>
                      <span className="font-mono text-sm font-semibold tracking-widest">{event.code}</span>
                      <span className="text-sm text-slate-600">
                        {event.attendeeCount}/{event.capacity} joined
                      </span>
                      <span
                        className={`rounded-full px-2 py-0.5 text-xs font-semibold ${
                          state === "live"
                            ? "bg-emerald-100 text-emerald-800"
                            : state === "upcoming"
                              ? "bg-sky-100 text-sky-800"
                              : "bg-slate-100 text-slate-600"
                        }`}
                      >
                        {state}
                      </span>
                    </Link>
                  </li>
                );
              })}
            </ul>
          )}
        </section>
        <NewEventForm scenarios={scenarios.map((s) => ({ slug: s.slug, title: s.title }))} />
      </div>
    </main>
  );
}
