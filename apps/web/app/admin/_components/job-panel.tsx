"use client";

import { useEffect, useState } from "react";
import { readNdjson } from "@/lib/read-ndjson.ts";
import { LiveLog } from "../../_components/live-log.tsx";

interface Status {
  running: boolean;
  lines: string[];
  lastResult?: { ok: boolean; exitCode: number | null; seconds: number; finishedAt: string };
}

export interface JobAction {
  label: string;
  /** The POST body that starts the job. */
  body: unknown;
  primary?: boolean;
}

/**
 * A long job on the gateway (an image build, a preload), started by a button, with its lines shown as they come;
 * catches up with a running or finished one after a reload. `endpoint` answers GET (status) and POST (start, NDJSON).
 */
export function JobPanel(props: {
  endpoint: string;
  actions: JobAction[];
  /** "Building…", "Preloading…" */
  runningText: string;
  /** "Built", "Preloaded" */
  doneText: string;
  logLabel: string;
  /** Called when a job this page started has ended (say, to refresh what the page shows). */
  onDone?: (ok: boolean) => void;
}) {
  const [lines, setLines] = useState<string[]>([]);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const { endpoint, doneText } = props;

  useEffect(() => {
    void fetch(endpoint, { cache: "no-store" })
      .then((res) => (res.ok ? (res.json() as Promise<Status>) : undefined))
      .then((status) => {
        if (!status) return;
        setLines(status.lines);
        setRunning(status.running);
        if (status.lastResult) {
          setResult(
            `${status.lastResult.ok ? doneText : "Failed"} in ${status.lastResult.seconds} s, ${new Date(status.lastResult.finishedAt).toLocaleString("en-GB")}`,
          );
        }
      })
      .catch(() => undefined);
  }, [endpoint, doneText]);

  async function start(body: unknown) {
    setRunning(true);
    setProblem(null);
    setResult(null);
    setLines([]);
    const res = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }).catch(() => undefined);
    if (!res?.ok || !res.body) {
      const answer = (await res?.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
      setProblem(answer?.error?.message ?? "It could not start.");
      setRunning(false);
      return;
    }
    let ended: boolean | undefined;
    await readNdjson(res.body, (event) => {
      const e = event as { type: string; line?: string; ok?: boolean; seconds?: number; exitCode?: number };
      if (e.type === "line" && e.line !== undefined) setLines((old) => [...old.slice(-499), e.line as string]);
      if (e.type === "done") {
        ended = e.ok === true;
        setResult(`${e.ok ? doneText : `Failed (exit ${e.exitCode})`} in ${e.seconds} s`);
      }
      return undefined;
    }).catch(() => setProblem("The connection was lost; reload to see where it is."));
    setRunning(false);
    if (ended !== undefined) props.onDone?.(ended);
  }

  return (
    <div className="mt-4 border-t border-slate-100 pt-3">
      <div className="flex flex-wrap items-center gap-2">
        {props.actions.map((action) => (
          <button
            key={action.label}
            type="button"
            disabled={running}
            onClick={() => start(action.body)}
            className={
              action.primary
                ? "rounded-lg bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-50"
                : "rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:bg-slate-50 disabled:opacity-50"
            }
          >
            {action.label}
          </button>
        ))}
        <span role="status" aria-live="polite" className="text-sm text-slate-600">
          {running ? props.runningText : result}
        </span>
      </div>
      {problem && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {problem}
        </p>
      )}
      {lines.length > 0 && <LiveLog lines={lines} label={props.logLabel} className="max-h-64" />}
    </div>
  );
}
