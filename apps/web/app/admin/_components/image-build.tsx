"use client";

import { useEffect, useState } from "react";
import { readNdjson } from "@/lib/read-ndjson.ts";
import { LiveLog } from "../../_components/live-log.tsx";

interface Status {
  running: boolean;
  lines: string[];
  lastResult?: { ok: boolean; exitCode: number | null; seconds: number; finishedAt: string };
}

/** Builds (or rebuilds) Dockyard's images with the build's lines shown as they come; catches up after a reload. */
export function ImageBuild() {
  const [lines, setLines] = useState<string[]>([]);
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    void fetch("/api/admin/images/build", { cache: "no-store" })
      .then((res) => (res.ok ? (res.json() as Promise<Status>) : undefined))
      .then((status) => {
        if (!status) return;
        setLines(status.lines);
        setRunning(status.running);
        if (status.lastResult) {
          setResult(
            `${status.lastResult.ok ? "Built" : "Failed"} in ${status.lastResult.seconds} s, ${new Date(status.lastResult.finishedAt).toLocaleString("en-GB")}`,
          );
        }
      })
      .catch(() => undefined);
  }, []);

  async function build(rebuild: boolean) {
    setRunning(true);
    setProblem(null);
    setResult(null);
    setLines([]);
    const res = await fetch("/api/admin/images/build", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rebuild }),
    }).catch(() => undefined);
    if (!res?.ok || !res.body) {
      const body = (await res?.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
      setProblem(body?.error?.message ?? "The build could not start.");
      setRunning(false);
      return;
    }
    await readNdjson(res.body, (event) => {
      const e = event as { type: string; line?: string; ok?: boolean; seconds?: number; exitCode?: number };
      if (e.type === "line" && e.line !== undefined) setLines((old) => [...old.slice(-499), e.line as string]);
      if (e.type === "done") setResult(`${e.ok ? "Built" : `Failed (exit ${e.exitCode})`} in ${e.seconds} s`);
      return undefined;
    }).catch(() => setProblem("The connection to the build was lost; reload to see where it is."));
    setRunning(false);
  }

  return (
    <div className="mt-4 border-t border-slate-100 pt-3">
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          disabled={running}
          onClick={() => build(false)}
          className="rounded-lg bg-sky-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-50"
        >
          Build missing or changed
        </button>
        <button
          type="button"
          disabled={running}
          onClick={() => build(true)}
          className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:bg-slate-50 disabled:opacity-50"
        >
          Rebuild all
        </button>
        <span role="status" aria-live="polite" className="text-sm text-slate-600">
          {running ? "Building…" : result}
        </span>
      </div>
      {problem && (
        <p role="alert" className="mt-2 text-sm text-red-700">
          {problem}
        </p>
      )}
      {lines.length > 0 && <LiveLog lines={lines} label="Build output" className="max-h-64" />}
    </div>
  );
}
