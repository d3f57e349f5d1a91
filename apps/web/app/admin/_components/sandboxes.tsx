"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { searchClass } from "../../_components/ui.tsx";
import { bytes, span } from "./format.ts";

interface HostRow {
  name: string;
  state: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
  netRxBytes: number;
  netTxBytes: number;
  /** Set when the engine did not give this host's figures in time: they read 0 and are shown as "—". */
  statsError?: string;
}

interface SessionRow {
  sessionId: string;
  userId: string;
  owner: string;
  guest: boolean;
  scenario: string;
  scenarioTitle: string;
  engine: string;
  createdAt: string;
  expiresAt: string | null;
  maxExpiresAt: string | null;
  hosts: HostRow[];
  event: { id: string; code: string; title: string } | null;
}

type SortKey = "owner" | "scenario" | "age" | "expiry" | "cpu" | "memory" | "pids" | "network";

const sum = (row: SessionRow, pick: (h: HostRow) => number) => row.hosts.reduce((total, h) => total + pick(h), 0);

const SORTS: Record<SortKey, (row: SessionRow) => string | number> = {
  owner: (r) => r.owner.toLowerCase(),
  scenario: (r) => r.scenarioTitle.toLowerCase(),
  age: (r) => -Date.parse(r.createdAt),
  expiry: (r) => (r.expiresAt ? Date.parse(r.expiresAt) : Number.POSITIVE_INFINITY),
  cpu: (r) => sum(r, (h) => h.cpuPercent),
  memory: (r) => sum(r, (h) => h.memoryBytes),
  pids: (r) => sum(r, (h) => h.pids),
  network: (r) => sum(r, (h) => h.netRxBytes + h.netTxBytes),
};

const POLL_MS = 3000;

/** Every live sandbox, refreshed every few seconds while the tab is visible: search, sort, extend and stop. */
export function Sandboxes() {
  const [rows, setRows] = useState<SessionRow[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [sampledAt, setSampledAt] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: "age", descending: false });
  const [stopping, setStopping] = useState<SessionRow | null>(null);
  const [eventFilter, setEventFilter] = useState("");
  const [stoppingEvent, setStoppingEvent] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const load = useCallback(async () => {
    try {
      const res = await fetch("/api/admin/sessions", { cache: "no-store" });
      const body = (await res.json().catch(() => undefined)) as
        | { sessions?: SessionRow[]; sampledAt?: string; error?: { message: string } }
        | undefined;
      if (!res.ok || !body?.sessions) {
        setProblem(body?.error?.message ?? `The server answered ${res.status}.`);
        return;
      }
      setRows(body.sessions);
      setSampledAt(body.sampledAt ?? null);
      setProblem(null);
    } catch {
      setProblem("The network is unreachable; retrying.");
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => {
      setNow(Date.now());
      if (document.visibilityState === "visible") void load();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    const filtered = (rows ?? []).filter(
      (r) =>
        (!eventFilter || r.event?.id === eventFilter) &&
        (!q ||
          [r.owner, r.scenarioTitle, r.scenario, r.sessionId, r.engine, r.event?.code ?? "", r.event?.title ?? ""].some(
            (field) => field.toLowerCase().includes(q),
          )),
    );
    const key = SORTS[sort.key];
    return filtered.sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      const order = x < y ? -1 : x > y ? 1 : 0;
      return sort.descending ? -order : order;
    });
  }, [rows, query, sort, eventFilter]);

  const events = useMemo(() => {
    const seen = new Map<string, { id: string; code: string; title: string }>();
    for (const r of rows ?? []) if (r.event) seen.set(r.event.id, r.event);
    return [...seen.values()];
  }, [rows]);
  const chosenEvent = events.find((e) => e.id === eventFilter);

  async function stopEvent(event: { id: string; title: string }) {
    setStoppingEvent(false);
    const res = await fetch(`/api/admin/events/${event.id}/stop`, { method: "POST" });
    const body = (await res.json().catch(() => undefined)) as
      | { stopped?: number; failed?: number; error?: { message: string } }
      | undefined;
    setNotice(
      res.ok
        ? `Stopped ${body?.stopped ?? 0} sandbox${body?.stopped === 1 ? "" : "es"} of ${event.title}${body?.failed ? ` (${body.failed} could not be stopped)` : ""}.`
        : (body?.error?.message ?? "Could not stop them."),
    );
    void load();
  }

  async function extend(row: SessionRow) {
    const res = await fetch(`/api/admin/sessions/${row.sessionId}/extend`, { method: "POST" });
    const body = (await res.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
    setNotice(res.ok ? `Extended ${row.owner}'s sandbox.` : (body?.error?.message ?? "Could not extend."));
    void load();
  }

  async function stop(row: SessionRow) {
    setStopping(null);
    const res = await fetch(`/api/admin/sessions/${row.sessionId}/stop`, { method: "POST" });
    const body = (await res.json().catch(() => undefined)) as
      | { containers?: number; networks?: number; error?: { message: string } }
      | undefined;
    setNotice(
      res.ok
        ? `Stopped ${row.owner}'s sandbox: ${body?.containers ?? 0} containers and ${body?.networks ?? 0} network removed.`
        : (body?.error?.message ?? "Could not stop it."),
    );
    void load();
  }

  const header = (key: SortKey, label: string, numeric = false) => {
    const active = sort.key === key;
    return (
      <th
        scope="col"
        aria-sort={active ? (sort.descending ? "descending" : "ascending") : "none"}
        className={`px-3 py-2 font-semibold ${numeric ? "text-right" : "text-left"}`}
      >
        <button
          type="button"
          className="inline-flex items-center gap-1 rounded hover:text-sky-700 focus-visible:outline-2 focus-visible:outline-sky-500"
          onClick={() => setSort({ key, descending: active ? !sort.descending : numeric })}
        >
          {label}
          <span aria-hidden className="text-slate-400">
            {active ? (sort.descending ? "▼" : "▲") : ""}
          </span>
        </button>
      </th>
    );
  };

  return (
    <section aria-label="Sandboxes" className="mt-5">
      <div className="flex flex-wrap items-center gap-3">
        <label className="flex-1">
          <span className="sr-only">Search sandboxes</span>
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search by owner, scenario, session or engine"
            className={searchClass}
          />
        </label>
        {events.length > 0 && (
          <label className="text-sm">
            <span className="sr-only">Event</span>
            <select
              value={eventFilter}
              onChange={(e) => setEventFilter(e.target.value)}
              className="rounded-lg border border-slate-300 bg-white px-2 py-2 text-sm shadow-sm"
            >
              <option value="">All events</option>
              {events.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.title} ({e.code})
                </option>
              ))}
            </select>
          </label>
        )}
        {chosenEvent && (
          <button
            type="button"
            onClick={() => setStoppingEvent(true)}
            className="rounded-lg border border-red-300 bg-white px-3 py-2 text-sm font-semibold text-red-700 hover:bg-red-50"
          >
            Stop all of {chosenEvent.title}…
          </button>
        )}
        <p className="text-sm text-slate-600" aria-live="polite">
          {rows === null ? "Loading…" : `${shown.length} of ${rows.length} sandboxes`}
          {sampledAt && <span className="text-slate-400"> · live, every {POLL_MS / 1000} s</span>}
        </p>
      </div>
      {problem && (
        <p
          role="alert"
          className="mt-3 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
        >
          {problem}
        </p>
      )}
      {notice && (
        <p role="status" className="mt-3 rounded-lg border border-sky-200 bg-sky-50 px-3 py-2 text-sm text-sky-900">
          {notice}
        </p>
      )}
      <div className="relative mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full min-w-[56rem] text-sm">
          <thead className="border-b border-slate-200 bg-slate-50 text-slate-700">
            <tr>
              {header("owner", "Owner")}
              {header("scenario", "Scenario")}
              <th scope="col" className="px-3 py-2 text-left font-semibold">
                Hosts
              </th>
              {header("age", "Age")}
              {header("expiry", "Expires in")}
              {header("cpu", "CPU", true)}
              {header("memory", "Memory", true)}
              {header("pids", "PIDs", true)}
              {header("network", "Network", true)}
              <th scope="col" className="px-3 py-2 text-right font-semibold">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows !== null && shown.length === 0 && (
              <tr>
                <td colSpan={10} className="px-3 py-10 text-center text-slate-500">
                  {rows.length === 0 ? "No sandbox is running." : "No sandbox matches the search."}
                </td>
              </tr>
            )}
            {shown.map((row) => {
              const unknown = row.hosts.find((h) => h.statsError)?.statsError;
              const figure = (text: string) => (unknown ? <span title={unknown}>—</span> : text);
              return (
                <tr key={row.sessionId} data-session={row.sessionId} className="align-top hover:bg-slate-50">
                  <td className="px-3 py-2">
                    <span className="font-medium">{row.owner}</span>
                    {row.guest && <span className="ml-1 text-xs text-slate-500">(guest)</span>}
                    <div className="font-mono text-xs text-slate-400">{row.sessionId.slice(0, 8)}</div>
                  </td>
                  <td className="px-3 py-2">
                    {row.scenarioTitle}
                    <div className="text-xs text-slate-500">
                      engine {row.engine}
                      {row.event && (
                        <>
                          {" · "}
                          <span className="font-mono text-violet-700">{row.event.code}</span>
                        </>
                      )}
                    </div>
                  </td>
                  <td className="px-3 py-2">
                    {row.hosts.map((h) => (
                      <div key={h.name}>
                        {h.name} <span className="text-xs text-slate-500">{h.state}</span>
                      </div>
                    ))}
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">{span(now - Date.parse(row.createdAt))}</td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    {row.expiresAt ? span(Date.parse(row.expiresAt) - now) : "—"}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums" data-figure="cpu">
                    {figure(`${sum(row, (h) => h.cpuPercent).toFixed(1)}%`)}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums whitespace-nowrap" data-figure="memory">
                    {figure(bytes(sum(row, (h) => h.memoryBytes)))}
                    <div className="text-xs text-slate-400">of {bytes(sum(row, (h) => h.memoryLimitBytes))}</div>
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums" data-figure="pids">
                    {figure(String(sum(row, (h) => h.pids)))}
                  </td>
                  <td className="px-3 py-2 text-right tabular-nums whitespace-nowrap" data-figure="network">
                    {figure(`↓ ${bytes(sum(row, (h) => h.netRxBytes))}`)}
                    <div>{figure(`↑ ${bytes(sum(row, (h) => h.netTxBytes))}`)}</div>
                  </td>
                  <td className="px-3 py-2 text-right whitespace-nowrap">
                    <button
                      type="button"
                      onClick={() => extend(row)}
                      className="rounded-md border border-slate-300 px-2 py-1 text-xs font-semibold hover:border-sky-400 focus-visible:outline-2 focus-visible:outline-sky-500"
                    >
                      Extend
                    </button>{" "}
                    <button
                      type="button"
                      onClick={() => setStopping(row)}
                      className="rounded-md border border-red-300 px-2 py-1 text-xs font-semibold text-red-700 hover:bg-red-50 focus-visible:outline-2 focus-visible:outline-red-500"
                    >
                      Stop…
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {stopping && (
        <StopDialog
          title={`Stop ${stopping.owner}'s sandbox?`}
          rows={[stopping]}
          onCancel={() => setStopping(null)}
          onConfirm={() => stop(stopping)}
        />
      )}
      {stoppingEvent && chosenEvent && (
        <StopDialog
          title={`Stop ${shown.length === 1 ? "the sandbox" : `all ${shown.length} sandboxes`} of ${chosenEvent.title}?`}
          rows={shown}
          named
          onCancel={() => setStoppingEvent(false)}
          onConfirm={() => stopEvent(chosenEvent)}
        />
      )}
    </section>
  );
}

/** Says what stopping removes before it does; Escape or Cancel keeps the sandboxes. */
function StopDialog({
  title,
  rows,
  named = false,
  onCancel,
  onConfirm,
}: {
  title: string;
  rows: SessionRow[];
  /** Each row says whose it is (stopping several, or an event's). */
  named?: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      onClose={onCancel}
      aria-labelledby="stop-title"
      className="m-auto w-full max-w-md rounded-xl border border-slate-200 p-0 shadow-xl backdrop:bg-slate-900/40"
    >
      <div className="p-5">
        <h2 id="stop-title" className="text-lg font-bold">
          {title}
        </h2>
        <p className="mt-2 text-sm text-slate-700">This removes, for good:</p>
        <ul className="mt-1 max-h-60 list-disc overflow-y-auto pl-5 text-sm text-slate-700">
          {rows.map((row) => (
            <li key={row.sessionId}>
              {named && <strong>{row.owner}: </strong>}
              {row.hosts.map((h) => `the container ${h.name}`).join(", ")} and everything written in it, and the
              sandbox&apos;s network
            </li>
          ))}
        </ul>
        <p className="mt-2 text-sm text-slate-700">
          {named ? "Each attendee" : rows[0]?.owner} sees that an admin stopped it. Progress is kept.
        </p>
        <div className="mt-5 flex justify-end gap-2">
          <button
            type="button"
            onClick={onCancel}
            className="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:bg-slate-50"
          >
            Cancel
          </button>
          <button
            type="button"
            onClick={onConfirm}
            className="rounded-lg bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-500"
          >
            Stop {rows.length === 1 ? "sandbox" : `${rows.length} sandboxes`}
          </button>
        </div>
      </div>
    </dialog>
  );
}
