"use client";

import { useCallback, useEffect, useState } from "react";

interface Run {
  id: number;
  kind: string;
  step: number | null;
  host: string;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  stdout: string;
  stderr: string;
  error: string | null;
  at: string;
}

/**
 * Authoring mode: every script that ran in this sandbox (verify, hint, file blocks, background starts) with its exit
 * code, time and output, and what the background scripts wrote to /var/log/killercoda. Refreshes while open.
 */
export function ScriptLog({ sessionId }: { sessionId: string }) {
  const [open, setOpen] = useState(false);
  const [data, setData] = useState<{ runs: Run[]; logs: { name: string; text: string }[] } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await fetch(`/api/sessions/${sessionId}/scripts`).catch(() => undefined);
    if (!res?.ok) {
      setProblem("The script log could not be read.");
      return;
    }
    setProblem(null);
    setData(await res.json());
  }, [sessionId]);

  useEffect(() => {
    if (!open) return;
    void load();
    const timer = setInterval(() => {
      if (!document.hidden) void load();
    }, 3000);
    return () => clearInterval(timer);
  }, [open, load]);

  return (
    <details
      className="mt-6 rounded-lg ring-1 ring-violet-200"
      onToggle={(event) => setOpen((event.target as HTMLDetailsElement).open)}
    >
      <summary className="cursor-pointer rounded-lg bg-violet-50 px-4 py-2 text-sm font-semibold text-violet-900">
        Script log <span className="font-normal text-violet-700">(authoring)</span>
      </summary>
      <div className="space-y-3 px-4 py-3 text-sm">
        {problem && <p className="text-rose-700">{problem}</p>}
        {data && data.runs.length === 0 && data.logs.length === 0 && (
          <p className="text-slate-500">No script has run in this sandbox yet.</p>
        )}
        {data && data.runs.length > 0 && (
          <ol aria-label="Script runs" className="space-y-2">
            {data.runs.map((run) => (
              <li key={run.id} className="rounded-md bg-slate-50 p-2 ring-1 ring-slate-200">
                <p className="flex flex-wrap gap-x-3 text-xs text-slate-600">
                  <span className="font-semibold text-slate-900">
                    {run.kind}
                    {run.step !== null ? ` · step ${run.step + 1}` : ""}
                  </span>
                  <span>{run.host}</span>
                  <span
                    className={
                      run.error || run.timedOut || (run.exitCode !== null && run.exitCode !== 0)
                        ? "text-rose-700"
                        : "text-emerald-700"
                    }
                  >
                    {run.error
                      ? "did not run"
                      : run.timedOut
                        ? "timed out"
                        : run.exitCode === null
                          ? "started"
                          : `exit ${run.exitCode}`}
                  </span>
                  <span>{Math.round(run.durationMs)} ms</span>
                  <time dateTime={run.at}>{new Date(run.at).toLocaleTimeString()}</time>
                </p>
                {run.error && <p className="mt-1 text-rose-700">{run.error}</p>}
                {run.stdout && <Output label="stdout" text={run.stdout} />}
                {run.stderr && <Output label="stderr" text={run.stderr} />}
              </li>
            ))}
          </ol>
        )}
        {data?.logs.map((log) => (
          <Output key={log.name} label={`/var/log/killercoda/${log.name}`} text={log.text || "(empty)"} />
        ))}
      </div>
    </details>
  );
}

function Output({ label, text }: { label: string; text: string }) {
  return (
    <figure className="mt-1">
      <figcaption className="text-xs font-medium text-slate-500">{label}</figcaption>
      {/* Scrollable, so reachable by keyboard. */}
      <textarea
        readOnly
        aria-label={label}
        value={text}
        rows={Math.min(10, text.split("\n").length)}
        className="w-full resize-y rounded bg-slate-900 p-2 font-mono text-xs text-slate-100"
      />
    </figure>
  );
}
