"use client";

import { useCallback, useEffect, useState } from "react";
import { HeaderRow, MessageRow, searchClass } from "../../_components/ui.tsx";

interface Entry {
  id: number;
  createdAt: string;
  actorEmail: string;
  actorRole: string;
  action: string;
  target: string;
  detail: Record<string, unknown>;
}

/** Every admin and instructor action, newest first, searchable, with older pages on request. */
export function AuditLog() {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const [query, setQuery] = useState("");
  const [more, setMore] = useState(false);

  const load = useCallback(async (q: string, before?: number) => {
    const params = new URLSearchParams({ q, ...(before ? { before: String(before) } : {}) });
    const res = await fetch(`/api/admin/audit?${params}`, { cache: "no-store" });
    const body = (await res.json().catch(() => undefined)) as { entries?: Entry[] } | undefined;
    const page = body?.entries ?? [];
    setEntries((old) => (before ? [...(old ?? []), ...page] : page));
    setMore(page.length === 100);
  }, []);

  useEffect(() => {
    const timer = window.setTimeout(() => void load(query), 200);
    return () => window.clearTimeout(timer);
  }, [query, load]);

  return (
    <section aria-label="Audit log" className="mt-5">
      <label>
        <span className="sr-only">Search the audit log</span>
        <input
          type="search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search by who, action or target"
          className={searchClass}
        />
      </label>
      <div className="relative mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="w-full text-sm">
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-slate-700">
            <HeaderRow columns={["When", "Who", "Action", "Target", "Details"]} />
          </thead>
          <tbody className="divide-y divide-slate-100">
            {entries === null && <MessageRow columns={5}>Loading…</MessageRow>}
            {entries?.length === 0 && (
              <MessageRow columns={5}>Nothing recorded{query ? " that matches" : " yet"}.</MessageRow>
            )}
            {entries?.map((e) => (
              <tr key={e.id}>
                <td className="px-3 py-2 whitespace-nowrap text-slate-600">
                  {new Date(e.createdAt).toLocaleString("en-GB")}
                </td>
                <td className="px-3 py-2">
                  {e.actorEmail} <span className="text-xs text-slate-500">{e.actorRole}</span>
                </td>
                <td className="px-3 py-2 font-mono text-xs">{e.action}</td>
                <td className="px-3 py-2 font-mono text-xs">{e.target}</td>
                <td className="px-3 py-2 font-mono text-xs text-slate-600">
                  {Object.entries(e.detail)
                    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
                    .join(", ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more && entries && (
        <button
          type="button"
          onClick={() => load(query, entries.at(-1)?.id)}
          className="mt-3 rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-semibold hover:bg-slate-50"
        >
          Older entries
        </button>
      )}
    </section>
  );
}
