import type { ProgressSummary } from "@dockyard/db";
import type { Scenario } from "@dockyard/scenario";
import Link from "next/link";

export function CourseProgress({ slugs, progress }: { slugs: string[]; progress: Map<string, ProgressSummary> }) {
  const finished = slugs.filter((slug) => progress.get(slug)?.completedAt).length;
  if (!slugs.some((slug) => progress.has(slug))) return null;
  return (
    <p className="mt-1 text-sm font-medium text-slate-700">
      {finished} of {slugs.length} done
    </p>
  );
}

export function ScenarioGrid({
  scenarios,
  progress,
  numbered = false,
}: {
  scenarios: Scenario[];
  progress: Map<string, ProgressSummary>;
  numbered?: boolean;
}) {
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
              {progress.get(s.slug) && (
                <div
                  className={`rounded-full px-2.5 py-1 font-semibold ${progress.get(s.slug)?.completedAt ? "bg-emerald-600 text-white" : "bg-amber-100 text-amber-900"}`}
                >
                  <dt className="sr-only">Your progress</dt>
                  <dd>
                    {progress.get(s.slug)?.completedAt
                      ? "Done"
                      : `On step ${Math.min((progress.get(s.slug)?.currentStep ?? 0) + 1, s.steps.length)}`}
                  </dd>
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
