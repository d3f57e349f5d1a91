import type { Scenario } from "@dockyard/scenario";
import Link from "next/link";
import { library } from "@/server/catalog.ts";

export const dynamic = "force-dynamic";

export default async function CatalogPage() {
  const { scenarios, problems, courses } = await library();
  const bySlug = new Map(scenarios.map((s) => [s.slug, s]));
  const inCourses = new Set(courses.flatMap((c) => c.slugs));
  const loose = scenarios.filter((s) => !inCourses.has(s.slug));
  return (
    <main className="mx-auto w-full max-w-5xl px-6 py-10">
      <h1 className="text-3xl font-bold tracking-tight">Labs</h1>
      <p className="mt-2 max-w-2xl text-slate-600">
        Pick a scenario: you get a real Linux sandbox of your own, a terminal, and step-by-step instructions that check
        your work.
      </p>
      {scenarios.length === 0 ? (
        <p className="mt-8 rounded-lg border border-dashed border-slate-300 p-6 text-slate-600">
          No scenarios found. Put scenario folders in <code>scenarios/</code>, or list folders in{" "}
          <code>SCENARIOS_PATH</code>.
        </p>
      ) : (
        <>
          {courses.map((course) => (
            <section key={course.title} aria-label={course.title} className="mt-10">
              <h2 className="text-xl font-bold tracking-tight">{course.title}</h2>
              {course.description && <p className="mt-1 max-w-2xl text-slate-600">{course.description}</p>}
              <ScenarioGrid scenarios={course.slugs.flatMap((slug) => bySlug.get(slug) ?? [])} numbered />
            </section>
          ))}
          {loose.length > 0 && (
            <section aria-label={courses.length > 0 ? "More labs" : "All labs"} className="mt-8">
              {courses.length > 0 && <h2 className="mt-10 text-xl font-bold tracking-tight">More labs</h2>}
              <ScenarioGrid scenarios={loose} />
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

function ScenarioGrid({ scenarios, numbered = false }: { scenarios: Scenario[]; numbered?: boolean }) {
  return (
    <ul className="mt-4 grid gap-4 sm:grid-cols-2">
      {scenarios.map((s, i) => (
        <li key={s.slug}>
          <Link
            href={`/scenarios/${s.slug}`}
            className="group flex h-full flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm transition hover:border-sky-400 hover:shadow-md focus-visible:outline-3 focus-visible:outline-sky-500"
          >
            <h3 className="text-lg font-semibold group-hover:text-sky-700">
              {numbered && <span className="mr-2 text-slate-400">{i + 1}.</span>}
              {s.title}
            </h3>
            <p className="mt-1 flex-1 text-sm text-slate-600">{s.description}</p>
            <dl className="mt-4 flex flex-wrap gap-2 text-xs">
              {s.difficulty && (
                <div className="rounded-full bg-emerald-50 px-2.5 py-1 text-emerald-800">
                  <dt className="sr-only">Difficulty</dt>
                  <dd>{s.difficulty}</dd>
                </div>
              )}
              {s.time && (
                <div className="rounded-full bg-sky-50 px-2.5 py-1 text-sky-800">
                  <dt className="sr-only">Time</dt>
                  <dd>{s.time}</dd>
                </div>
              )}
              <div className="rounded-full bg-slate-100 px-2.5 py-1 text-slate-700">
                <dt className="sr-only">Steps</dt>
                <dd>
                  {s.steps.length} {s.steps.length === 1 ? "step" : "steps"}
                </dd>
              </div>
            </dl>
          </Link>
        </li>
      ))}
    </ul>
  );
}
