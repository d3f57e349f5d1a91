"use client";

import { useCallback, useEffect, useState } from "react";
import { LEASE_EVENT } from "./terminal.tsx";

interface Lease {
  expiresAt: string;
  maxExpiresAt: string;
  /** Set while no terminal is connected: when the sandbox goes for being idle. */
  idleRemovalAt?: string;
}

/** Warn this long before the end (or for the last fifth of a short lease). */
const WARN_MS = 5 * 60_000;

const format = (ms: number) => {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 120) return `${Math.ceil(s / 60)} min`;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
};

/**
 * The sandbox's remaining time, from its lease: a quiet countdown, then a warning with an Extend button before the
 * end. Extending stops at the lease's maximum, and says so.
 */
export function LeaseClock({ sessionId }: { sessionId: string }) {
  const [lease, setLease] = useState<Lease | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [problem, setProblem] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await fetch(`/api/sessions/${sessionId}`).catch(() => undefined);
    if (res?.ok) setLease(((await res.json()) as { lease: Lease | null }).lease);
  }, [sessionId]);

  useEffect(() => {
    void load();
    const refresh = setInterval(() => void load(), 60_000);
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => {
      clearInterval(refresh);
      clearInterval(tick);
    };
  }, [load]);

  // The terminal hears of extensions made anywhere (another tab, another web server) before the next refresh.
  useEffect(() => {
    const follow = (event: Event) => {
      const expiresAt = (event as CustomEvent<unknown>).detail;
      if (typeof expiresAt === "string") setLease((l) => (l && l.expiresAt !== expiresAt ? { ...l, expiresAt } : l));
    };
    window.addEventListener(LEASE_EVENT, follow);
    return () => window.removeEventListener(LEASE_EVENT, follow);
  }, []);

  const extend = async () => {
    setProblem(null);
    const res = await fetch(`/api/sessions/${sessionId}/extend`, { method: "POST" }).catch(() => undefined);
    if (!res?.ok) {
      const body = (await res?.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
      setProblem(body?.error?.message ?? "Dockyard does not answer. Try again.");
      return;
    }
    setLease(((await res.json()) as { lease: Lease }).lease);
  };

  if (!lease) return null;
  const left = Date.parse(lease.expiresAt) - now;
  const atMax = Date.parse(lease.expiresAt) >= Date.parse(lease.maxExpiresAt);
  const idleLeft = lease.idleRemovalAt ? Date.parse(lease.idleRemovalAt) - now : Number.POSITIVE_INFINITY;
  const warn = left <= WARN_MS || idleLeft <= WARN_MS;
  return (
    <div className="flex items-center gap-2">
      <span
        role="timer"
        aria-label="Time left in this sandbox"
        title={`Ends at ${new Date(lease.expiresAt).toLocaleTimeString()}`}
        className={`flex items-center gap-1 tabular-nums ${warn ? "font-semibold text-amber-300" : "text-slate-400"}`}
      >
        <svg
          aria-hidden
          viewBox="0 0 16 16"
          className="h-3.5 w-3.5"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.6"
        >
          <circle cx="8" cy="8.5" r="6" />
          <path d="M8 5.5v3l2 1.5M6.5 1.5h3" strokeLinecap="round" />
        </svg>
        {format(left)} left
      </span>
      {warn && (
        <span role="alert" className={idleLeft < left ? "text-xs text-amber-200" : "sr-only"}>
          {idleLeft < left
            ? `No terminal is connected: the sandbox goes in ${format(idleLeft)} unless you keep it.`
            : `Your sandbox ends in ${format(left)}.`}
        </span>
      )}
      {(warn || problem) && (
        <button
          type="button"
          onClick={extend}
          disabled={atMax && idleLeft >= left}
          title={atMax ? "This sandbox cannot live any longer" : "Give this sandbox more time"}
          className="rounded-md border border-amber-400/50 px-2 py-0.5 text-xs text-amber-200 hover:bg-amber-500/20 disabled:opacity-50"
        >
          {idleLeft < left ? "Keep it" : atMax ? "At its longest" : "Extend"}
        </button>
      )}
      {problem && <span className="text-xs text-rose-300">{problem}</span>}
    </div>
  );
}
