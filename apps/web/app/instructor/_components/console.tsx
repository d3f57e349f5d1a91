"use client";

import { type FormEvent, Fragment, useCallback, useEffect, useState } from "react";
// It loads xterm.js in the browser only, when it mounts.
import { HandIcon } from "../../_components/hand-icon.tsx";
import { Terminal } from "../../scenarios/[slug]/_components/terminal.tsx";

interface StepState {
  step: number;
  startedAt: string;
  passedAt: string | null;
  attempts: number;
}

interface Attendee {
  userId: string;
  displayName: string;
  joinedAt: string;
  hand: { at: string; slug: string | null; step: number | null } | null;
  scenarios: Record<
    string,
    {
      currentStep: number;
      completedAt: string | null;
      steps: StepState[];
      sessionId: string | null;
      sessionStartedAt: string | null;
    }
  >;
}

interface ScenarioColumns {
  slug: string;
  title: string;
  steps: string[];
}

/** On one step this long without passing it counts as stuck. */
const STUCK_MS = 5 * 60_000;
const POLL_MS = 2000;

const minutes = (ms: number) => {
  const m = Math.floor(ms / 60_000);
  return m < 1 ? "<1 min" : `${m} min`;
};

/**
 * Where an attendee is now: of the scenarios they have a sandbox running for and have not finished, the one they
 * moved in last, and since when they are on its step (its start; for the first step, the sandbox's start if earlier,
 * since the first step is recorded only at its first check). Nobody without a running sandbox counts as stuck.
 */
function whereNow(a: Attendee, scenarios: ScenarioColumns[]) {
  let best: { slug: string; step: number; since: number } | null = null;
  for (const { slug } of scenarios) {
    const p = a.scenarios[slug];
    if (!p?.sessionId || p.completedAt) continue;
    const current = p.steps.find((s) => s.step === p.currentStep);
    const sandbox = p.sessionStartedAt ? Date.parse(p.sessionStartedAt) : Number.POSITIVE_INFINITY;
    const stepStart = current ? Date.parse(current.startedAt) : Number.POSITIVE_INFINITY;
    const since = p.currentStep === 0 ? Math.min(sandbox, stepStart) : Number.isFinite(stepStart) ? stepStart : sandbox;
    if (!best || since > best.since) best = { slug, step: p.currentStep, since };
  }
  return best;
}

export function Console({
  event,
  scenarios,
}: {
  event: {
    id: string;
    code: string;
    title: string;
    startsAt: string;
    endsAt: string;
    capacity: number;
    warmPool: number;
  };
  scenarios: ScenarioColumns[];
}) {
  const [attendees, setAttendees] = useState<Attendee[] | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [problem, setProblem] = useState<string | null>(null);
  const [watching, setWatching] = useState<{ attendee: Attendee; sessionId: string; slug: string } | null>(null);
  const [watchEnded, setWatchEnded] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      const res = await fetch(`/api/events/${event.id}/progress`, { cache: "no-store" });
      const body = (await res.json().catch(() => undefined)) as
        | { attendees?: Attendee[]; now?: string; error?: { message: string } }
        | undefined;
      if (!res.ok || !body?.attendees) {
        setProblem(body?.error?.message ?? `The server answered ${res.status}.`);
        return;
      }
      setAttendees(body.attendees);
      setNow(body.now ? Date.parse(body.now) : Date.now());
      setProblem(null);
    } catch {
      setProblem("The network is unreachable; retrying.");
    }
  }, [event.id]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  function watch(a: Attendee) {
    // Their sandbox where they are now, else any running one of theirs in this event.
    const here = whereNow(a, scenarios);
    const slug =
      (here && a.scenarios[here.slug]?.sessionId ? here.slug : undefined) ??
      scenarios.find((s) => a.scenarios[s.slug]?.sessionId)?.slug;
    const sessionId = slug ? a.scenarios[slug]?.sessionId : null;
    setWatchEnded(null);
    if (slug && sessionId) setWatching({ attendee: a, sessionId, slug });
    else setWatchEnded(`${a.displayName} has no sandbox running.`);
  }

  async function send(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const text = String(new FormData(form).get("text") ?? "");
    const res = await fetch(`/api/events/${event.id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ text }),
    });
    if (res.ok) {
      form.reset();
      setSent(`Sent to everyone: “${text}”`);
    } else setSent("The message was not sent.");
  }

  const joinUrl =
    typeof window === "undefined" ? `/join?code=${event.code}` : `${window.location.origin}/join?code=${event.code}`;
  const hands = (attendees ?? []).filter((a) => a.hand);
  const stuck = (attendees ?? []).filter((a) => {
    const here = whereNow(a, scenarios);
    return here && now - here.since > STUCK_MS;
  });

  return (
    <main className="mx-auto w-full max-w-[96rem] flex-1 px-4 py-6 sm:px-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <p className="text-sm font-semibold text-violet-700">Live console</p>
          <h1 className="text-2xl font-bold tracking-tight">{event.title}</h1>
          <p className="mt-1 text-sm text-slate-600">
            Code <strong className="font-mono tracking-widest text-slate-900">{event.code}</strong> · join at{" "}
            <span className="font-mono">{joinUrl}</span> · {attendees?.length ?? "…"}/{event.capacity} joined · keeps{" "}
            {event.warmPool} warm
          </p>
        </div>
        <a
          href={`/api/events/${event.id}/results`}
          className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm font-semibold hover:border-sky-400"
        >
          Export CSV
        </a>
      </div>

      <div className="mt-4 grid gap-3 md:grid-cols-3">
        <Summary label="Hands raised" value={hands.length} tone={hands.length ? "amber" : "slate"} />
        <Summary
          label={`Stuck over ${STUCK_MS / 60_000} min`}
          value={stuck.length}
          tone={stuck.length ? "rose" : "slate"}
        />
        <form onSubmit={send} className="flex gap-2 rounded-xl border border-slate-200 bg-white p-3 shadow-sm">
          <label className="flex-1">
            <span className="sr-only">Message to everyone</span>
            <input
              name="text"
              required
              maxLength={500}
              placeholder="Message to everyone"
              className="w-full rounded-lg border border-slate-300 px-3 py-1.5 text-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/40"
            />
          </label>
          <button
            type="submit"
            className="rounded-lg bg-violet-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-violet-500"
          >
            Send
          </button>
        </form>
      </div>
      {sent && (
        <p role="status" className="mt-2 text-sm text-slate-600">
          {sent}
        </p>
      )}
      {problem && (
        <p
          role="alert"
          className="mt-3 rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
        >
          {problem}
        </p>
      )}

      <div className="relative mt-4 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
        <table className="text-sm" aria-label="Attendees' progress">
          <thead className="bg-slate-50 text-slate-700">
            <tr>
              <th scope="col" rowSpan={2} className="sticky left-0 z-10 bg-slate-50 px-3 py-2 text-left">
                Attendee
              </th>
              {scenarios.map((s) => (
                <th
                  key={s.slug}
                  scope="colgroup"
                  colSpan={Math.max(1, s.steps.length)}
                  className="border-l border-slate-200 px-2 py-1 text-left font-semibold"
                >
                  {s.title}
                </th>
              ))}
            </tr>
            <tr>
              {scenarios.map((s) => (
                <Fragment key={s.slug}>
                  {s.steps.map((title, i) => (
                    <th
                      key={`${s.slug}-${title}`}
                      scope="col"
                      title={title}
                      className={`px-1 py-1 text-center text-xs font-medium text-slate-500 ${i === 0 ? "border-l border-slate-200" : ""}`}
                    >
                      {i + 1}
                    </th>
                  ))}
                </Fragment>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {attendees?.length === 0 && (
              <tr>
                <td
                  colSpan={1 + scenarios.reduce((n, s) => n + Math.max(1, s.steps.length), 0)}
                  className="px-3 py-10 text-center text-slate-500"
                >
                  Nobody has joined yet. Share the code <strong className="font-mono">{event.code}</strong>.
                </td>
              </tr>
            )}
            {attendees?.map((a) => {
              const here = whereNow(a, scenarios);
              const isStuck = here && now - here.since > STUCK_MS;
              const selected = watching?.attendee.userId === a.userId;
              return (
                <tr
                  key={a.userId}
                  data-attendee={a.displayName}
                  className={selected ? "bg-sky-50" : "hover:bg-slate-50"}
                >
                  <th
                    scope="row"
                    className={`sticky left-0 z-10 px-3 py-1.5 text-left font-medium ${selected ? "bg-sky-50" : "bg-white"}`}
                  >
                    <button
                      type="button"
                      onClick={() => watch(a)}
                      className="flex items-center gap-2 rounded text-left hover:text-sky-700 focus-visible:outline-2 focus-visible:outline-sky-500"
                      aria-label={`Watch ${a.displayName}'s terminal`}
                    >
                      {a.hand && (
                        <span
                          title={`Hand raised ${minutes(now - Date.parse(a.hand.at))} ago`}
                          className="inline-flex items-center gap-1 rounded bg-amber-300 px-1 text-xs text-amber-950"
                        >
                          <HandIcon className="h-3.5 w-3.5" />
                          <span className="sr-only">Hand raised:</span>
                          {a.hand.step !== null ? `step ${a.hand.step + 1}` : ""}
                          <span className="text-amber-900/80">· {minutes(now - Date.parse(a.hand.at))}</span>
                        </span>
                      )}
                      <span>{a.displayName}</span>
                      {isStuck && here && (
                        <span className="rounded bg-rose-100 px-1 text-xs text-rose-800">
                          stuck {minutes(now - here.since)}
                        </span>
                      )}
                    </button>
                  </th>
                  {scenarios.map((s) => {
                    const p = a.scenarios[s.slug];
                    return s.steps.map((title, i) => {
                      const st = p?.steps.find((x) => x.step === i);
                      const done = Boolean(p && (st?.passedAt || i < p.currentStep || p.completedAt));
                      const current = Boolean(p && !p.completedAt && i === p.currentStep);
                      const label = done
                        ? "passed"
                        : current
                          ? `on it for ${minutes(now - Date.parse(st?.startedAt ?? new Date(now).toISOString()))}`
                          : "not reached";
                      return (
                        <td
                          key={`${s.slug}-${title}`}
                          data-step={`${s.slug}:${i + 1}`}
                          data-state={done ? "passed" : current ? "current" : "todo"}
                          title={`${title}: ${label}${st?.attempts ? `, ${st.attempts} checks` : ""}`}
                          className={`px-1 py-1.5 text-center ${i === 0 ? "border-l border-slate-200" : ""}`}
                        >
                          <span
                            className={`inline-grid h-6 min-w-6 place-items-center rounded text-xs font-semibold ${
                              done
                                ? "bg-emerald-500 text-white"
                                : current
                                  ? isStuck && here?.slug === s.slug
                                    ? "bg-rose-500 text-white"
                                    : "bg-amber-300 text-amber-950"
                                  : "bg-slate-100 text-slate-400"
                            }`}
                          >
                            {done ? "✓" : current ? "•" : ""}
                            <span className="sr-only">{label}</span>
                          </span>
                        </td>
                      );
                    });
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      {watchEnded && (
        <p role="status" className="mt-3 text-sm text-slate-600">
          {watchEnded}
        </p>
      )}
      {watching && (
        <section
          aria-label={`${watching.attendee.displayName}'s terminal`}
          className="theme-fixed mt-4 overflow-hidden rounded-xl border border-slate-800 bg-dock-950"
        >
          <div className="flex items-center gap-3 border-b border-slate-800 px-3 py-2 text-sm text-slate-200">
            <span className="font-semibold">{watching.attendee.displayName}</span>
            <span className="text-slate-400">{scenarios.find((s) => s.slug === watching.slug)?.title} · host01</span>
            <button
              type="button"
              onClick={() => setWatching(null)}
              className="ml-auto rounded px-2 py-0.5 text-slate-300 hover:bg-slate-800"
            >
              Close
            </button>
          </div>
          <div className="relative h-[26rem]">
            <Terminal
              key={watching.sessionId}
              sessionId={watching.sessionId}
              host="host01"
              name="t1-1"
              ref={null}
              watching
              tokenUrl={`/api/events/${event.id}/watch-token?session=${watching.sessionId}&host=host01`}
              onGone={(message) => {
                setWatching(null);
                setWatchEnded(`${watching.attendee.displayName}'s sandbox ended: ${message}`);
              }}
            />
          </div>
        </section>
      )}
    </main>
  );
}

function Summary({ label, value, tone }: { label: string; value: number; tone: "amber" | "rose" | "slate" }) {
  const colors = {
    amber: "border-amber-300 bg-amber-50 text-amber-950",
    rose: "border-rose-300 bg-rose-50 text-rose-950",
    slate: "border-slate-200 bg-white text-slate-900",
  }[tone];
  return (
    <div className={`rounded-xl border p-3 shadow-sm ${colors}`}>
      <p className="text-sm">{label}</p>
      <p className="text-2xl font-bold tabular-nums">{value}</p>
    </div>
  );
}
