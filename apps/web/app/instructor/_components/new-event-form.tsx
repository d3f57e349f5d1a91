"use client";

import { type FormEvent, useEffect, useState } from "react";
import { FormError, fieldClass } from "../../_components/ui.tsx";

/** A datetime-local value for a moment (local time, minutes). */
function local(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Title, scenarios in order, code, window, capacity and warm pool. */
export function NewEventForm({ scenarios }: { scenarios: { slug: string; title: string }[] }) {
  const [chosen, setChosen] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // In the browser's time zone (the server's may differ): filled in once the page runs here.
  const [defaults, setDefaults] = useState<{ start: string; end: string } | null>(null);
  useEffect(() => {
    const start = new Date();
    start.setSeconds(0, 0);
    setDefaults({ start: local(start), end: local(new Date(start.getTime() + 8 * 3_600_000)) });
  }, []);
  const title = new Map(scenarios.map((s) => [s.slug, s.title]));

  const move = (slug: string, by: -1 | 1) =>
    setChosen((list) => {
      const i = list.indexOf(slug);
      const j = i + by;
      if (j < 0 || j >= list.length) return list;
      const next = [...list];
      [next[i], next[j]] = [next[j] as string, next[i] as string];
      return next;
    });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    const code = String(form.get("code") ?? "").trim();
    const res = await fetch("/api/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        title: form.get("title"),
        scenarios: chosen,
        startsAt: new Date(String(form.get("startsAt"))).toISOString(),
        endsAt: new Date(String(form.get("endsAt"))).toISOString(),
        capacity: Number(form.get("capacity")),
        warmPool: Number(form.get("warmPool")),
        ...(code ? { code } : {}),
      }),
    }).catch(() => undefined);
    const body = (await res?.json().catch(() => undefined)) as
      | { event?: { id: string }; error?: { message: string } }
      | undefined;
    if (res?.ok && body?.event) {
      window.location.assign(`/instructor/events/${body.event.id}`);
      return;
    }
    setError(body?.error?.message ?? "The event could not be created.");
    setBusy(false);
  }

  return (
    <form
      onSubmit={submit}
      aria-label="New event"
      className="h-fit space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h2 className="text-lg font-bold">New event</h2>
      <label className="block text-sm font-medium">
        Title
        <input name="title" required maxLength={120} className={fieldClass} />
      </label>
      <fieldset>
        <legend className="text-sm font-medium">Scenarios, in order</legend>
        {chosen.length > 0 && (
          <ol className="mt-1 space-y-1">
            {chosen.map((slug, i) => (
              <li key={slug} className="flex items-center gap-1 rounded-md bg-sky-50 px-2 py-1 text-sm">
                <span className="w-5 text-slate-500">{i + 1}.</span>
                <span className="flex-1 truncate">{title.get(slug)}</span>
                <button
                  type="button"
                  aria-label={`Move ${title.get(slug)} up`}
                  onClick={() => move(slug, -1)}
                  className="rounded px-1 hover:bg-sky-100"
                >
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={`Move ${title.get(slug)} down`}
                  onClick={() => move(slug, 1)}
                  className="rounded px-1 hover:bg-sky-100"
                >
                  ↓
                </button>
              </li>
            ))}
          </ol>
        )}
        <div className="mt-1 max-h-48 overflow-y-auto rounded-lg border border-slate-200 p-2">
          {scenarios.map((s) => (
            <label key={s.slug} className="flex items-center gap-2 py-0.5 text-sm">
              <input
                type="checkbox"
                checked={chosen.includes(s.slug)}
                onChange={(e) =>
                  setChosen((list) => (e.target.checked ? [...list, s.slug] : list.filter((x) => x !== s.slug)))
                }
              />
              {s.title}
            </label>
          ))}
        </div>
      </fieldset>
      <label className="block text-sm font-medium">
        Starts
        <input
          name="startsAt"
          type="datetime-local"
          required
          key={defaults?.start}
          defaultValue={defaults?.start}
          className={fieldClass}
        />
      </label>
      <label className="block text-sm font-medium">
        Ends
        <input
          name="endsAt"
          type="datetime-local"
          required
          key={defaults?.end}
          defaultValue={defaults?.end}
          className={fieldClass}
        />
      </label>
      <div className="grid grid-cols-2 gap-2">
        <label className="block text-sm font-medium">
          Capacity
          <input name="capacity" type="number" min={1} max={1000} required defaultValue={30} className={fieldClass} />
        </label>
        <label className="block text-sm font-medium">
          Keep warm
          <input name="warmPool" type="number" min={0} max={20} required defaultValue={2} className={fieldClass} />
        </label>
      </div>
      <p className="text-xs text-slate-500">
        Keep warm: sandboxes of each kind made ahead, from half an hour before the start, so nobody waits.
      </p>
      <label className="block text-sm font-medium">
        Code <span className="font-normal text-slate-500">(optional; random otherwise)</span>
        <input name="code" maxLength={16} pattern="[A-Za-z0-9]{6,16}" className={`${fieldClass} font-mono uppercase`} />
      </label>
      <FormError message={error} />
      <button
        type="submit"
        disabled={busy || chosen.length === 0}
        className="w-full rounded-lg bg-sky-600 px-3 py-2 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-50"
      >
        {busy ? "Creating…" : "Create event"}
      </button>
    </form>
  );
}
