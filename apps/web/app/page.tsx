import { joinedEvents, listProgress, type ProgressSummary } from "@dockyard/db";
import type { Scenario } from "@dockyard/scenario";
import Link from "next/link";
import { library } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { currentUserId } from "@/server/user.ts";
import { CourseProgress, ScenarioGrid } from "./_components/scenario-grid.tsx";

export const dynamic = "force-dynamic";

export default async function CatalogPage() {
  const { scenarios, problems, courses } = await library();
  const bySlug = new Map(scenarios.map((s) => [s.slug, s]));
  const inCourses = new Set(courses.flatMap((c) => c.slugs));
  const loose = scenarios.filter((s) => !inCourses.has(s.slug));
  const userId = await currentUserId();
  const mine = (userId ? await listProgress(db(), userId) : []).filter((p) => bySlug.has(p.scenarioSlug));
  const progress = new Map(mine.map((p) => [p.scenarioSlug, p]));
  const workshops = userId ? await joinedEvents(db(), userId) : [];
  return (
    <main className="mx-auto w-full max-w-5xl px-6 py-10">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-3xl font-bold tracking-tight">Labs</h1>
        <Link
          href="/join"
          className="rounded-lg border border-violet-300 bg-white px-3 py-1.5 text-sm font-semibold text-violet-800 hover:bg-violet-50 focus-visible:outline-3 focus-visible:outline-violet-500"
        >
          Join a workshop
        </Link>
      </div>
      <p className="mt-2 max-w-2xl text-slate-600">
        Pick a scenario: you get a real Linux sandbox of your own, a terminal, and step-by-step instructions that check
        your work.
      </p>
      {workshops.length > 0 && (
        <section aria-label="Your workshops" className="mt-8">
          <h2 className="text-lg font-bold tracking-tight">Your workshops</h2>
          {workshops.map((event) => (
            <div key={event.id} className="mt-2 rounded-xl border border-violet-200 bg-violet-50/60 p-4">
              <div className="flex flex-wrap items-baseline gap-x-3">
                <Link href={`/events/${event.code}`} className="text-lg font-semibold hover:underline">
                  {event.title}
                </Link>
                <span className="font-mono text-xs text-violet-800">{event.code}</span>
              </div>
              <ScenarioGrid
                scenarios={event.scenarios.flatMap((slug) => bySlug.get(slug) ?? [])}
                progress={progress}
                numbered
              />
            </div>
          ))}
        </section>
      )}
      {mine.length > 0 && <YourLabs mine={mine} bySlug={bySlug} />}
      {scenarios.length === 0 ? (
        <p className="mt-8 rounded-lg border border-dashed border-slate-300 p-6 text-slate-600">
          No scenarios found. Put scenario folders in <code>scenarios/</code>, or list folders in{" "}
          <code>SCENARIOS_PATH</code>.
        </p>
      ) : (
        <>
          {courses.map((course) => (
            <section key={course.title} aria-label={course.title} className="mt-10">
              <h2 className="text-xl font-bold tracking-tight">
                <Link href={`/courses/${course.slug}`} className="hover:text-sky-700 hover:underline">
                  {course.title}
                </Link>
              </h2>
              {course.description && <p className="mt-1 max-w-2xl text-slate-600">{course.description}</p>}
              <CourseProgress slugs={course.slugs} progress={progress} />
              <ScenarioGrid
                scenarios={course.slugs.flatMap((slug) => bySlug.get(slug) ?? [])}
                progress={progress}
                numbered
              />
            </section>
          ))}
          {loose.length > 0 && (
            <section aria-label={courses.length > 0 ? "More labs" : "All labs"} className="mt-8">
              {courses.length > 0 && <h2 className="mt-10 text-xl font-bold tracking-tight">More labs</h2>}
              <ScenarioGrid scenarios={loose} progress={progress} />
            </section>
          )}
        </>
      )}
      {problems.length > 0 && (
        <details className="mt-10 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
          <summary className="cursor-pointer font-semibold">
            {problems.length} {problems.length === 1 ? "scenario has" : "scenarios have"} errors and{" "}
            {problems.length === 1 ? "is" : "are"} not listed
          </summary>
          <ul className="mt-2 space-y-2">
            {problems.map((p) => (
              <li key={p.slug}>
                <code className="font-semibold">{p.slug}</code>
                <ul className="ml-4 list-disc">
                  {p.issues
                    .filter((i) => i.severity === "error")
                    .map((i) => (
                      <li key={`${i.file}:${i.field ?? ""}:${i.message}`}>
                        {i.file}
                        {i.field ? ` (${i.field})` : ""}
                        {i.line ? `:${i.line}${i.column ? `:${i.column}` : ""}` : ""}: {i.message}
                      </li>
                    ))}
                </ul>
              </li>
            ))}
          </ul>
        </details>
      )}
    </main>
  );
}

/** "12 min", "1 h 5 min": time spent on steps. */
function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "under a minute";
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function YourLabs({ mine, bySlug }: { mine: ProgressSummary[]; bySlug: Map<string, Scenario> }) {
  const going = mine.filter((p) => !p.completedAt);
  const done = mine.filter((p) => p.completedAt);
  const row = (p: ProgressSummary) => {
    const scenario = bySlug.get(p.scenarioSlug) as Scenario;
    const total = scenario.steps.length;
    return (
      <li key={p.scenarioSlug} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3">
        <div className="min-w-0 flex-1">
          <p className="truncate font-semibold">{scenario.title}</p>
          <p className="text-sm text-slate-600">
            {p.completedAt
              ? `Finished ${p.completedAt.toLocaleDateString("en-GB", { day: "numeric", month: "short" })}`
              : `Step ${Math.min(p.currentStep + 1, total)} of ${total}`}{" "}
            · {duration(p.activeMs)}
          </p>
        </div>
        {!p.completedAt && (
          <div className="h-2 w-32 overflow-hidden rounded-full bg-slate-200" aria-hidden>
            <div className="h-full bg-sky-500" style={{ width: `${Math.round((p.currentStep / total) * 100)}%` }} />
          </div>
        )}
        <Link
          href={`/scenarios/${p.scenarioSlug}`}
          className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:border-sky-400 hover:text-sky-700 focus-visible:outline-3 focus-visible:outline-sky-500"
          aria-label={`${p.completedAt ? "Open" : "Resume"} ${scenario.title}`}
        >
          {p.completedAt ? "Open" : "Resume"}
        </Link>
      </li>
    );
  };
  return (
    <section aria-label="Your labs" className="mt-8 grid gap-6 md:grid-cols-2">
      <div>
        <h2 className="text-lg font-bold tracking-tight">In progress</h2>
        {going.length ? (
          <ul className="mt-2 divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white shadow-sm">
            {going.map(row)}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">Nothing in progress. Pick a lab below.</p>
        )}
      </div>
      <div>
        <h2 className="text-lg font-bold tracking-tight">Done</h2>
        {done.length ? (
          <ul className="mt-2 divide-y divide-slate-200 rounded-xl border border-slate-200 bg-white shadow-sm">
            {done.map(row)}
          </ul>
        ) : (
          <p className="mt-2 text-sm text-slate-600">No finished labs yet.</p>
        )}
      </div>
    </section>
  );
}
