"use client";

import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { readNdjson } from "@/lib/read-ndjson.ts";
import { LiveLog } from "../../_components/live-log.tsx";

interface StepResult {
  index: number;
  title: string;
  ok: boolean;
  message: string;
}

interface TestResult {
  slug: string;
  ok: boolean;
  exitCode: number | null;
  seconds: number;
  finishedAt: string;
  report?: { scenarios: { ok: boolean; message?: string; steps: StepResult[] }[] };
}

/** Each scenario with its last automated test; Test runs one (one at a time here), its output live. */
export function ScenarioTests({ scenarios }: { scenarios: { slug: string; title: string; steps: number }[] }) {
  const [results, setResults] = useState<Map<string, TestResult>>(new Map());
  const [running, setRunning] = useState<string | null>(null);
  const [lines, setLines] = useState<string[]>([]);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await fetch("/api/instructor/scenario-tests", { cache: "no-store" }).catch(() => undefined);
    if (!res?.ok) return;
    const body = (await res.json()) as { running: string | null; lines: string[]; results: TestResult[] };
    setResults(new Map(body.results.map((r) => [r.slug, r])));
    setRunning((mine) => mine ?? body.running);
  }, []);

  useEffect(() => {
    void load();
  }, [load]);
  async function test(slug: string) {
    setRunning(slug);
    setLines([]);
    setProblem(null);
    const res = await fetch(`/api/instructor/scenarios/${encodeURIComponent(slug)}/test`, { method: "POST" }).catch(
      () => undefined,
    );
    if (!res?.ok || !res.body) {
      const body = (await res?.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
      setProblem(body?.error?.message ?? "The test could not start.");
      setRunning(null);
      return;
    }
    await readNdjson(res.body, (event) => {
      const e = event as { type: string; line?: string };
      if (e.type === "line" && e.line !== undefined) setLines((old) => [...old.slice(-499), e.line as string]);
      return undefined;
    }).catch(() => setProblem("The connection to the test was lost; reload to see its result."));
    setRunning(null);
    await load();
  }

  return (
    <div className="mt-5 grid gap-5 lg:grid-cols-[1fr_26rem]">
      <ul className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm">
        {scenarios.map((s) => {
          const result = results.get(s.slug);
          const steps = result?.report?.scenarios[0]?.steps ?? [];
          const failed = steps.find((step) => !step.ok);
          const why = failed
            ? `step ${failed.index + 1} (${failed.title}): ${failed.message}`
            : (result?.report?.scenarios[0]?.message ?? (result && !result.ok ? `exit ${result.exitCode}` : ""));
          return (
            <li key={s.slug} data-scenario={s.slug} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-3">
              <div className="min-w-0 flex-1">
                <p className="font-semibold">{s.title}</p>
                <p className="text-sm text-slate-600" data-testid="test-result">
                  {running === s.slug ? (
                    "Testing…"
                  ) : result ? (
                    <span className={result.ok ? "text-emerald-700" : "text-red-700"}>
                      {result.ok
                        ? `Passed: ${steps.length} of ${s.steps} steps, in ${result.seconds} s`
                        : `Failed: ${why}`}
                    </span>
                  ) : (
                    `${s.steps} ${s.steps === 1 ? "step" : "steps"} · not tested since the gateway started`
                  )}
                </p>
              </div>
              <Link
                href={`/scenarios/${s.slug}`}
                className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:border-sky-400"
                aria-label={`Preview ${s.title}`}
              >
                Preview
              </Link>
              <button
                type="button"
                disabled={running !== null}
                onClick={() => test(s.slug)}
                aria-label={`Test ${s.title}`}
                className="rounded-lg bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-50"
              >
                Test
              </button>
            </li>
          );
        })}
      </ul>
      <section aria-label="Test output" className="h-fit rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="font-bold">Test output</h2>
        {problem && (
          <p role="alert" className="mt-2 text-sm text-red-700">
            {problem}
          </p>
        )}
        {lines.length > 0 ? (
          <LiveLog lines={lines} label="Test log" className="max-h-[28rem]" />
        ) : (
          <p className="mt-2 text-sm text-slate-600">Press Test on a scenario; its output shows here as it runs.</p>
        )}
      </section>
    </div>
  );
}
