"use client";

import { labStartEvent, type SessionPhase } from "@dockyard/protocol";
import { useRouter } from "next/navigation";
import { type KeyboardEvent, useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { readNdjson } from "@/lib/read-ndjson.ts";
import { LeaseClock } from "./lease-clock.tsx";
import { ScriptLog } from "./script-log.tsx";
import { type RunOutcome, StepContent, type TerminalTarget } from "./step-content.tsx";
import { preloadTerminal, type RunOptions, Terminal, type TerminalHandle } from "./terminal.tsx";
import { WorkshopBar } from "./workshop-bar.tsx";

export interface LabProps {
  slug: string;
  title: string;
  introHtml: string | null;
  finishHtml: string | null;
  introForeground: string | null;
  /** `foreground` is typed into the terminal when the step opens (once per sandbox). */
  /** `hasCheck`: a verify script or a quiz gates Next; `needsSandbox`: checking runs a script in the sandbox. */
  steps: {
    title: string;
    html: string;
    hasCheck: boolean;
    needsSandbox: boolean;
    hasHint: boolean;
    foreground: string | null;
  }[];
  /** A challenge: checks run by themselves every few seconds and a passed task moves on. */
  challenge: boolean;
  progress: ProgressPayload;
  activeSessionId: string | null;
  /** The hosts of the scenario's environment, host01 first. */
  hosts: string[];
  /** Katacoda's extra terminal tabs: open with every sandbox, named by the author; `command` is typed once. */
  extraTerminals: { name: string; host: number; terminal: number; command: string | null }[];
  /**
   * Katacoda's dashboards: a port of the sandbox shown in a tab of the page (`embed`; `url` is null until a sandbox
   * runs), or another site, opened in a new tab.
   */
  dashboards: { name: string; url: string | null; embed: boolean }[];
  /**
   * The session whose values fill the placeholders in this page's text and scripts; undefined when the scenario has
   * none. A new sandbox refreshes the page, and foreground scripts wait for their values.
   */
  placeholdersFor?: string | null;
  /** Authoring mode: the page re-renders when the scenario's files change, and the Script log is shown. */
  authoring: boolean;
  /** Set when the scenario's environment is not available and a plain Linux host stands in. */
  environmentNote: string | null;
}

type Sandbox =
  | { state: "idle" }
  | { state: "starting"; phase: SessionPhase | "requested"; message: string }
  | { state: "running"; sessionId: string }
  | { state: "stopping"; sessionId: string }
  | { state: "error"; message: string };

type Tab = TerminalTarget;
const FIRST_TAB: Tab = { host: 1, terminal: 1 };
const tabKey = (tab: Tab) => `${tab.host}:${tab.terminal}`;

type CheckResult = { passed: boolean; message: string } | null;

/** Progress as the API returns it (dates as ISO strings). */
interface ProgressPayload {
  currentStep: number;
  steps: { step: number; startedAt: string; passedAt: string | null; attempts: number }[];
}

const PHASES: { phase: SessionPhase; label: string }[] = [
  { phase: "network", label: "Network" },
  { phase: "container", label: "Hosts" },
  { phase: "files", label: "Files" },
  { phase: "setup", label: "Setup" },
  { phase: "ready", label: "Ready" },
];

/** A JSON POST to the web app's API. */
function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function errorMessage(res: Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return body?.error?.message ?? `Request failed (${res.status}).`;
}

export function Lab(props: LabProps) {
  const { slug, steps } = props;
  const router = useRouter();
  const [sandbox, setSandbox] = useState<Sandbox>(
    props.activeSessionId ? { state: "running", sessionId: props.activeSessionId } : { state: "idle" },
  );
  const [current, setCurrent] = useState(Math.min(props.progress.currentStep, steps.length));
  const [records, setRecords] = useState(props.progress.steps);
  const passed = new Set(records.filter((r) => r.passedAt).map((r) => r.step));
  const [check, setCheck] = useState<CheckResult>(null);
  const [notice, setNoticeText] = useState<string | null>(null);
  /** A notice replaces the last check result: it is about what just happened. */
  const setNotice = useCallback((message: string | null) => {
    if (message) setCheck(null);
    setNoticeText(message);
  }, []);
  const [busy, setBusy] = useState<"check" | "next" | null>(null);
  // Terminal tabs: `T2` in a lesson opens a second shell and `HOST2` one on the second host, as on Katacoda.
  const [tabs, setTabs] = useState<Tab[]>([FIRST_TAB]);
  const [activeTab, setActiveTab] = useState(tabKey(FIRST_TAB));
  const handles = useRef(new Map<string, TerminalHandle>());

  const finished = current >= steps.length;
  const step = steps[current];
  const canAdvance = step ? !step.hasCheck || passed.has(current) : false;

  const applyProgress = useCallback((progress: ProgressPayload) => {
    setCurrent(progress.currentStep);
    setRecords(progress.steps);
  }, []);

  const start = useCallback(async () => {
    setSandbox({ state: "starting", phase: "requested", message: "Asking for a sandbox" });
    let res: Response;
    try {
      res = await fetch(`/api/scenarios/${slug}/session`, { method: "POST" });
    } catch {
      setSandbox({ state: "error", message: "Dockyard does not answer. Check your connection and try again." });
      return;
    }
    if (!res.ok || !res.body) {
      setSandbox({ state: "error", message: await errorMessage(res) });
      return;
    }
    let sessionId = "";
    let settled = false;
    await readNdjson(res.body, (value) => {
      const parsed = labStartEvent.safeParse(value);
      if (!parsed.success) return;
      const event = parsed.data;
      if (event.type === "session") sessionId = event.sessionId;
      else if (event.type === "progress") setSandbox({ state: "starting", phase: event.phase, message: event.message });
      else if (event.type === "ready") {
        setSandbox({ state: "running", sessionId });
        setNotice(null);
      } else if (event.type === "error") setSandbox({ state: "error", message: event.message });
      settled = event.type === "ready" || event.type === "error";
      return settled;
    }).catch(() => undefined);
    if (settled) return;
    setSandbox({ state: "error", message: "The sandbox did not start. Try again." });
  }, [slug, setNotice]);

  const stop = useCallback(async () => {
    if (sandbox.state !== "running") return;
    const { sessionId } = sandbox;
    setSandbox({ state: "stopping", sessionId });
    const res = await fetch(`/api/sessions/${sessionId}`, { method: "DELETE" }).catch(() => undefined);
    if (!res) {
      setSandbox({ state: "running", sessionId });
      setNotice("Dockyard does not answer, so the sandbox was not stopped. Try again.");
      return;
    }
    if (!res.ok && res.status !== 404) {
      setSandbox({ state: "running", sessionId });
      setNotice(await errorMessage(res));
      return;
    }
    setCheck(null);
    setSandbox({ state: "idle" });
  }, [sandbox, setNotice]);

  const runCheck = useCallback(async () => {
    setBusy("check");
    setCheck(null);
    try {
      const res = await postJson(`/api/scenarios/${slug}/check`, { step: current, answers: quizAnswers() });
      if (!res.ok) {
        setCheck({ passed: false, message: await errorMessage(res) });
        return;
      }
      const body = (await res.json()) as {
        passed: boolean;
        message: string;
        quiz?: Record<string, boolean>;
        progress: ProgressPayload;
      };
      markQuiz(body.quiz ?? {});
      setCheck({ passed: body.passed, message: body.message });
      applyProgress(body.progress);
    } catch {
      setCheck({ passed: false, message: "Dockyard does not answer. Try again." });
    } finally {
      setBusy(null);
    }
  }, [slug, current, applyProgress]);

  const next = useCallback(async () => {
    setBusy("next");
    try {
      const res = await postJson(`/api/scenarios/${slug}/advance`, { fromStep: current });
      if (!res.ok) {
        setCheck({ passed: false, message: await errorMessage(res) });
        return;
      }
      applyProgress(((await res.json()) as { progress: ProgressPayload }).progress);
      setCheck(null);
      setNotice(null);
    } catch {
      setCheck({ passed: false, message: "Dockyard does not answer. Try again." });
    } finally {
      setBusy(null);
    }
  }, [slug, current, applyProgress, setNotice]);

  const startOver = useCallback(async () => {
    const res = await fetch(`/api/scenarios/${slug}/progress`, { method: "DELETE" }).catch(() => undefined);
    if (!res?.ok) {
      setNotice(res ? await errorMessage(res) : "Dockyard does not answer. Try again.");
      return;
    }
    applyProgress(((await res.json()) as { progress: ProgressPayload }).progress);
    setCheck(null);
  }, [slug, applyProgress, setNotice]);

  const writeFileBlock = useCallback(
    async (block: { filename: string; target: string; marker?: string; content: string }) => {
      if (sandbox.state !== "running") {
        setNotice("Start the sandbox first: files are written into it.");
        return false;
      }
      const res = await postJson(`/api/sessions/${sandbox.sessionId}/file-blocks`, block).catch(() => undefined);
      if (!res?.ok) {
        setNotice(res ? await errorMessage(res) : "Dockyard does not answer. Try again.");
        return false;
      }
      setNotice(`Wrote ${block.filename}.`);
      return true;
    },
    [sandbox, setNotice],
  );

  const runningId = sandbox.state === "running" ? sandbox.sessionId : null;
  // A new sandbox starts with one terminal, and the author's extra ones. (By value: a re-render of the page
  // brings a new array with the same terminals, which must not reset the tabs.)
  const extraKey = JSON.stringify(props.extraTerminals);
  // The terminal's code loads while the learner reads, not after Start.
  useEffect(() => preloadTerminal(), []);
  // Shells outlive the page (each tab's is named): after a reload the tabs that were open come back to theirs.
  useEffect(() => {
    if (!runningId) return;
    const extra = JSON.parse(extraKey) as LabProps["extraTerminals"];
    const fresh = [FIRST_TAB, ...extra.map(({ host, terminal }) => ({ host, terminal }))];
    let saved: Tab[] = [];
    try {
      saved = JSON.parse(sessionStorage.getItem(`dockyard:tabs:${runningId}`) ?? "[]") as Tab[];
    } catch {}
    const restored = saved.filter(
      (t) => Number.isInteger(t.host) && Number.isInteger(t.terminal) && !fresh.some((f) => tabKey(f) === tabKey(t)),
    );
    setTabs([...fresh, ...restored]);
    setActiveTab(tabKey(FIRST_TAB));
  }, [runningId, extraKey]);
  useEffect(() => {
    if (runningId) sessionStorage.setItem(`dockyard:tabs:${runningId}`, JSON.stringify(tabs));
  }, [runningId, tabs]);

  const hostCount = props.hosts.length;
  const openTab = useCallback((tab: Tab) => {
    setTabs((open) =>
      open.some((t) => tabKey(t) === tabKey(tab))
        ? open
        : [...open, tab].sort((a, b) => a.host - b.host || a.terminal - b.terminal),
    );
    setActiveTab(tabKey(tab));
  }, []);

  const run = useCallback(
    async (tab: Tab, text: string, options: RunOptions = {}): Promise<RunOutcome> => {
      if (!runningId) return "no-sandbox";
      if (tab.host > hostCount) return "no-host";
      openTab(tab);
      // A terminal that is just opening needs a moment to connect.
      for (let i = 0; i < 50; i++) {
        if (handles.current.get(tabKey(tab))?.run(text, options)) return "ran";
        await new Promise((r) => setTimeout(r, 200));
      }
      return "not-connected";
    },
    [runningId, hostCount, openTab],
  );

  const gone = useCallback((message: string) => {
    setCheck(null);
    setSandbox({ state: "error", message: `${message} Start it again to go on; your progress is kept.` });
  }, []);

  // Foreground scripts are typed into the terminal when their page opens, once per sandbox (a reload types nothing).
  const runningSession = sandbox.state === "running" ? sandbox.sessionId : null;
  // Placeholders ([[HOST_IP]], preview links) take the values of a new sandbox with a fresh render of the page.
  const placeholdersFor = props.placeholdersFor;
  const placeholdersReady = placeholdersFor === undefined || placeholdersFor === runningSession;
  useEffect(() => {
    if (runningSession && !placeholdersReady) router.refresh();
  }, [runningSession, placeholdersReady, router]);
  const introForeground = props.introForeground;
  const stepForeground = steps[current]?.foreground ?? null;
  useEffect(() => {
    if (!runningSession || !placeholdersReady) return;
    const scripts: [string, string][] = [];
    if (current === 0 && introForeground) scripts.push(["intro", introForeground]);
    if (stepForeground) scripts.push([`step${current}`, stepForeground]);
    let cancelled = false;
    void (async () => {
      for (const [name, script] of scripts) {
        const key = `dockyard:foreground:${runningSession}:${name}`;
        if (sessionStorage.getItem(key)) continue;
        // The terminal may still be connecting: try for a few seconds.
        if (cancelled) return;
        if ((await run(FIRST_TAB, script.trimEnd())) === "ran") sessionStorage.setItem(key, "typed");
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [runningSession, placeholdersReady, current, introForeground, stepForeground, run]);

  // An extra terminal's command is typed into it once per sandbox, without taking the learner away from terminal 1.
  useEffect(() => {
    if (!runningSession || !placeholdersReady) return;
    const extra = (JSON.parse(extraKey) as LabProps["extraTerminals"]).filter((t) => t.command);
    let cancelled = false;
    void (async () => {
      for (const t of extra) {
        const key = `dockyard:terminal-command:${runningSession}:${t.host}:${t.terminal}`;
        if (sessionStorage.getItem(key)) continue;
        for (let i = 0; i < 50 && !cancelled; i++) {
          if (handles.current.get(tabKey(t))?.run(t.command ?? "")) {
            sessionStorage.setItem(key, "typed");
            break;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [runningSession, placeholdersReady, extraKey]);

  // Challenges: the task's check runs every few seconds and a pass moves on by itself; hints appear with time.
  const [hint, setHint] = useState("");
  const challengeStep = props.challenge && runningSession && step?.hasCheck ? current : null;
  const hasHint = step?.hasHint ?? false;
  useEffect(() => {
    setHint("");
    if (challengeStep === null) return;
    let stopped = false;
    const tick = async () => {
      const res = await postJson(`/api/scenarios/${slug}/check`, { step: challengeStep, answers: quizAnswers() }).catch(
        () => undefined,
      );
      if (stopped || !res?.ok) return;
      const result = (await res.json()) as { passed: boolean; message: string; progress: ProgressPayload };
      if (result.passed) {
        stopped = true;
        setCheck({ passed: true, message: result.message });
        const next = await postJson(`/api/scenarios/${slug}/advance`, { fromStep: challengeStep }).catch(
          () => undefined,
        );
        if (next?.ok) applyProgress(((await next.json()) as { progress: ProgressPayload }).progress);
        return;
      }
      if (hasHint) {
        const hinted = await postJson(`/api/scenarios/${slug}/hint`, { step: challengeStep }).catch(() => undefined);
        if (!stopped && hinted?.ok) setHint(((await hinted.json()) as { html: string }).html);
      }
    };
    // One check at a time: the next starts 4 s after the last ended, and none while the tab is hidden.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const loop = async () => {
      if (!document.hidden) await tick();
      if (!stopped) timer = setTimeout(() => void loop(), 4000);
    };
    void loop();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [challengeStep, hasHint, slug, applyProgress]);

  // Authoring: an edit to the scenario's files re-renders the page in place (terminals and progress stay).
  useEffect(() => {
    if (!props.authoring) return;
    const changes = new EventSource(`/api/scenarios/${encodeURIComponent(slug)}/changes`);
    changes.addEventListener("change", () => router.refresh());
    return () => changes.close();
  }, [props.authoring, slug, router]);

  // Keyboard and screen-reader users land on the new step's heading when the step changes.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    if (current >= 0) document.getElementById("step-heading")?.focus();
  }, [current]);

  const running = sandbox.state === "running";
  const hostName = (n: number) => props.hosts[n - 1] ?? `host${String(n).padStart(2, "0")}`;
  const activeHost = tabs.find((t) => tabKey(t) === activeTab)?.host ?? 1;
  // host01's shells are "Terminal 1", "Terminal 2"; other hosts' are named after their host.
  const tabLabel = (tab: Tab) =>
    props.extraTerminals.find((t) => t.host === tab.host && t.terminal === tab.terminal)?.name ??
    (tab.host === 1
      ? `Terminal ${tab.terminal}`
      : `${hostName(tab.host)}${tab.terminal > 1 ? ` · ${tab.terminal}` : ""}`);
  const dashboardKey = (i: number) => `dashboard:${i}`;
  const visited = useVisited(activeTab);
  // Arrow keys, Home and End move between tabs (and show the tab they land on).
  const onTabKey = (event: KeyboardEvent<HTMLDivElement>) => {
    const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const to =
      event.key === "ArrowRight"
        ? (at + 1) % buttons.length
        : event.key === "ArrowLeft"
          ? (at - 1 + buttons.length) % buttons.length
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? buttons.length - 1
              : -1;
    if (to < 0) return;
    event.preventDefault();
    buttons[to]?.focus();
    buttons[to]?.click();
  };

  return (
    <main className="flex min-h-0 flex-1 flex-col lg:h-[calc(100vh-3rem)] lg:flex-row">
      <section
        aria-label="Instructions"
        className="flex min-h-0 flex-col border-slate-200 bg-white lg:w-[42%] lg:max-w-[44rem] lg:border-r"
      >
        <div className="border-b border-slate-200 px-6 py-4">
          <p className="text-xs font-medium uppercase tracking-wide text-slate-500">Scenario</p>
          <h1 className="text-xl font-bold tracking-tight">{props.title}</h1>
          {props.environmentNote && (
            <p className="mt-2 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
              {props.environmentNote}
            </p>
          )}
          <ol aria-label="Steps" className="mt-3 flex flex-wrap gap-1.5">
            {steps.map((s, i) => {
              const done = passed.has(i) || i < current;
              return (
                <li
                  key={s.title + String(i)}
                  aria-current={i === current ? "step" : undefined}
                  title={s.title}
                  className={`flex h-7 min-w-7 items-center justify-center rounded-full px-2 text-xs font-semibold ${
                    i === current
                      ? "bg-sky-600 text-white"
                      : done
                        ? "bg-emerald-100 text-emerald-800"
                        : "bg-slate-100 text-slate-500"
                  }`}
                >
                  {done && i !== current ? "✓" : i + 1}
                  <span className="sr-only">
                    {" "}
                    {s.title} {done ? "(done)" : ""}
                  </span>
                </li>
              );
            })}
          </ol>
          <WorkshopBar slug={props.slug} step={current} />
        </div>

        <div className="min-h-0 flex-1 overflow-y-auto px-6 py-5">
          {finished ? (
            <>
              <h2 id="step-heading" tabIndex={-1} className="text-lg font-semibold text-emerald-700 outline-none">
                🎉 Scenario complete
              </h2>
              <RunSummary steps={steps} records={records} />
              <button
                type="button"
                onClick={startOver}
                className="mt-4 rounded-lg border border-slate-300 px-4 py-2 text-sm font-semibold text-slate-700 hover:bg-slate-100"
              >
                Start over
              </button>
              {props.finishHtml && (
                <StepContent html={props.finishHtml} run={run} onNotice={setNotice} onFileBlock={writeFileBlock} />
              )}
            </>
          ) : (
            step && (
              <>
                <p className="text-sm font-medium text-sky-700">
                  Step {current + 1} of {steps.length}
                </p>
                <h2 id="step-heading" tabIndex={-1} className="text-lg font-semibold outline-none">
                  {step.title}
                </h2>
                {current === 0 && props.introHtml && (
                  <details open className="mt-3 rounded-lg bg-slate-50 px-4 py-2 ring-1 ring-slate-200">
                    <summary className="cursor-pointer text-sm font-semibold text-slate-700">About this lab</summary>
                    <StepContent html={props.introHtml} run={run} onNotice={setNotice} onFileBlock={writeFileBlock} />
                  </details>
                )}
                {hint && (
                  <div
                    role="note"
                    aria-label="Hint"
                    className="mt-3 rounded-lg bg-sky-50 px-4 py-1 ring-1 ring-sky-200"
                  >
                    <StepContent html={hint} run={run} onNotice={setNotice} onFileBlock={writeFileBlock} />
                  </div>
                )}
                <div data-step-body>
                  <StepContent
                    key={current}
                    html={step.html}
                    run={run}
                    onNotice={setNotice}
                    onFileBlock={writeFileBlock}
                  />
                </div>
              </>
            )
          )}
          {props.authoring && running && <ScriptLog sessionId={sandbox.sessionId} />}
        </div>

        {!finished && step && (
          <div className="border-t border-slate-200 bg-slate-50 px-6 py-3">
            <div role="status" aria-live="polite" className="min-h-6 text-sm">
              {!check && notice && <p className="text-amber-800">{notice}</p>}
              {check && (
                <p className={check.passed ? "text-emerald-700" : "text-rose-700"}>
                  <span className="font-semibold">{check.passed ? "✓ Passed" : "✗ Not yet"}</span>
                  {check.message ? ` — ${check.message}` : ""}
                </p>
              )}
            </div>
            <div className="mt-2 flex items-center gap-2">
              {step.hasCheck && (
                <button
                  type="button"
                  onClick={runCheck}
                  disabled={(step.needsSandbox && !running) || busy !== null}
                  className="rounded-lg bg-slate-800 px-4 py-2 text-sm font-semibold text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-40"
                >
                  {busy === "check" ? "Checking…" : "Check"}
                </button>
              )}
              <button
                type="button"
                onClick={next}
                disabled={!canAdvance || busy !== null}
                className="ml-auto rounded-lg bg-sky-600 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-500 disabled:cursor-not-allowed disabled:opacity-40"
              >
                Next
              </button>
            </div>
            {step.needsSandbox && !running && (
              <p className="mt-2 text-xs text-slate-500">Start the sandbox to check this step.</p>
            )}
          </div>
        )}
      </section>

      <section aria-label="Sandbox" className="theme-fixed flex min-h-[28rem] flex-1 flex-col bg-dock-950">
        <div className="flex h-11 shrink-0 items-center gap-3 border-b border-slate-800 px-3 text-sm text-slate-300">
          <span className="flex items-center gap-2">
            <span
              aria-hidden
              className={`h-2.5 w-2.5 rounded-full ${running ? "bg-emerald-400" : sandbox.state === "starting" ? "animate-pulse bg-amber-400" : "bg-slate-600"}`}
            />
            {hostName(activeHost)}
          </span>
          {running && (
            <div className="ml-2 flex items-center gap-1">
              <div role="tablist" aria-label="Terminals and dashboards" onKeyDown={onTabKey} className="flex gap-1">
                {[
                  ...tabs.map((tab) => ({ key: tabKey(tab), label: tabLabel(tab), dashboard: false })),
                  ...props.dashboards.flatMap((d, i) =>
                    d.embed ? [{ key: dashboardKey(i), label: d.name, dashboard: true }] : [],
                  ),
                ].map(({ key, label, dashboard }) => (
                  <button
                    key={key}
                    id={`tab-${key}`}
                    type="button"
                    role="tab"
                    aria-selected={key === activeTab}
                    aria-controls={`panel-${key}`}
                    tabIndex={key === activeTab ? 0 : -1}
                    onClick={() => setActiveTab(key)}
                    className={`rounded-md px-2.5 py-1 text-xs ${
                      key === activeTab
                        ? dashboard
                          ? "bg-sky-800 text-white"
                          : "bg-slate-700 text-white"
                        : dashboard
                          ? "text-sky-300 hover:bg-slate-800"
                          : "text-slate-400 hover:bg-slate-800"
                    }`}
                  >
                    {label}
                  </button>
                ))}
              </div>
              <button
                type="button"
                aria-label={`Open another terminal on ${hostName(activeHost)}`}
                title={`Open another terminal on ${hostName(activeHost)}`}
                onClick={() => {
                  const onHost = tabs.filter((t) => t.host === activeHost);
                  openTab({ host: activeHost, terminal: Math.max(0, ...onHost.map((t) => t.terminal)) + 1 });
                }}
                className="rounded-md px-2 py-0.5 text-slate-400 hover:bg-slate-800 hover:text-slate-100"
              >
                +
              </button>
              {props.dashboards.map((d, i) =>
                d.embed || !d.url ? null : (
                  <a
                    key={dashboardKey(i)}
                    href={d.url}
                    target="_blank"
                    rel="noopener noreferrer"
                    className="rounded-md px-2.5 py-1 text-xs text-sky-300 hover:bg-slate-800"
                  >
                    {d.name} ↗
                  </a>
                ),
              )}
            </div>
          )}
          <span className="text-slate-500">
            {running ? "running" : sandbox.state === "stopping" ? "stopping…" : sandbox.state}
          </span>
          <div className="ml-auto flex items-center gap-3">
            {running && <LeaseClock sessionId={sandbox.sessionId} />}
            {running || sandbox.state === "stopping" ? (
              <button
                type="button"
                onClick={stop}
                disabled={sandbox.state === "stopping"}
                className="rounded-md border border-rose-400/40 px-3 py-1 text-rose-200 hover:bg-rose-500/20 disabled:opacity-50"
              >
                Stop
              </button>
            ) : null}
          </div>
        </div>
        <div className="relative min-h-0 flex-1">
          {running ? (
            <>
              {/* A dashboard stays loaded once opened: switching tabs does not reload the page inside. */}
              {props.dashboards.map((d, i) =>
                d.embed && visited.has(dashboardKey(i)) ? (
                  <Dashboard key={dashboardKey(i)} id={dashboardKey(i)} hidden={dashboardKey(i) !== activeTab} {...d} />
                ) : null,
              )}
              {tabs.map((tab) => (
                <div
                  key={`${sandbox.sessionId}:${tabKey(tab)}`}
                  id={`panel-${tabKey(tab)}`}
                  role="tabpanel"
                  aria-labelledby={`tab-${tabKey(tab)}`}
                  hidden={tabKey(tab) !== activeTab}
                  className="absolute inset-0"
                >
                  <Terminal
                    ref={(handle) => {
                      if (handle) handles.current.set(tabKey(tab), handle);
                      else handles.current.delete(tabKey(tab));
                    }}
                    sessionId={sandbox.sessionId}
                    host={hostName(tab.host)}
                    name={`t${tab.host}-${tab.terminal}`}
                    onGone={gone}
                  />
                </div>
              ))}
            </>
          ) : sandbox.state === "stopping" ? null : (
            <StartPanel sandbox={sandbox} onStart={start} />
          )}
        </div>
      </section>
    </main>
  );
}

/**
 * A port of the sandbox, shown in the page through its preview; a new tab and a reload are a click away. The frame
 * may run scripts and forms but not navigate the scenario page away.
 */
function Dashboard({ id, name, url, hidden }: { id: string; name: string; url: string | null; hidden: boolean }) {
  const [reloads, setReloads] = useState(0);
  return (
    <div
      id={`panel-${id}`}
      role="tabpanel"
      aria-labelledby={`tab-${id}`}
      hidden={hidden}
      className="absolute inset-0 z-10 flex flex-col bg-white"
    >
      {url ? (
        <>
          <div className="flex items-center gap-3 border-b border-slate-200 bg-slate-50 px-3 py-1.5 text-xs text-slate-600">
            <span className="truncate font-mono">{url}</span>
            <button type="button" onClick={() => setReloads((n) => n + 1)} className="ml-auto hover:text-slate-900">
              Reload
            </button>
            <a href={url} target="_blank" rel="noopener noreferrer" className="text-sky-700 hover:underline">
              Open in a new tab ↗
            </a>
          </div>
          <iframe
            key={reloads}
            title={name}
            src={url}
            sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-modals allow-downloads"
            className="min-h-0 flex-1 border-0"
          />
        </>
      ) : (
        <p className="p-6 text-sm text-slate-600">{name} opens once the sandbox is ready…</p>
      )}
    </div>
  );
}

const noSubscription = () => () => undefined;

/** The tabs shown at least once: their panels stay mounted. */
function useVisited(active: string): Set<string> {
  const [visited, setVisited] = useState(() => new Set([active]));
  if (!visited.has(active)) setVisited(new Set([...visited, active]));
  return visited;
}

function StartPanel({ sandbox, onStart }: { sandbox: Sandbox; onStart: () => void }) {
  const hydrated = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  if (sandbox.state === "starting") {
    // "starting" is part of making the hosts; "queued" comes before anything.
    const phase = sandbox.phase === "starting" ? "container" : sandbox.phase;
    const reached = PHASES.findIndex((p) => p.phase === phase);
    return (
      <div className="grid h-full place-items-center p-6">
        <div role="status" aria-live="polite" className="w-full max-w-sm text-slate-200">
          <p className="text-base font-semibold">Preparing your sandbox…</p>
          <p className="mt-1 text-sm text-slate-400">{sandbox.message}</p>
          <ol className="mt-4 grid grid-cols-5 gap-2 text-xs">
            {PHASES.map((p, i) => (
              <li key={p.phase} className="flex flex-col gap-1.5">
                <span className={`h-1.5 rounded-full ${i <= reached ? "bg-sky-400" : "bg-slate-700"}`} />
                <span className={i <= reached ? "text-slate-200" : "text-slate-500"}>{p.label}</span>
              </li>
            ))}
          </ol>
        </div>
      </div>
    );
  }
  return (
    <div className="grid h-full place-items-center p-6">
      <div className="max-w-sm text-center text-slate-300">
        <p className="text-base">Your own Linux sandbox runs here: a real container with a shell.</p>
        {sandbox.state === "error" && (
          <p role="alert" className="mt-3 rounded-md bg-rose-500/15 px-3 py-2 text-sm text-rose-200">
            {sandbox.message}
          </p>
        )}
        <button
          type="button"
          onClick={onStart}
          // A click before the page's script runs would do nothing: the button waits for it.
          disabled={!hydrated}
          className="mt-5 rounded-lg bg-sky-500 px-6 py-2.5 text-base font-semibold text-white shadow hover:bg-sky-400 focus-visible:outline-3 focus-visible:outline-amber-400 disabled:opacity-60"
        >
          Start
        </button>
      </div>
    </div>
  );
}

function duration(from: string, to: string | null): string {
  if (!to) return "—";
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** How the run went: time to pass and attempts per step, from the saved progress. */
function RunSummary({ steps, records }: { steps: LabProps["steps"]; records: ProgressPayload["steps"] }) {
  return (
    <table className="mt-4 w-full text-left text-sm">
      <caption className="sr-only">Your run</caption>
      <thead className="text-xs uppercase tracking-wide text-slate-500">
        <tr>
          <th className="py-1 font-medium">Step</th>
          <th className="py-1 font-medium">Time</th>
          <th className="py-1 font-medium">Checks</th>
        </tr>
      </thead>
      <tbody>
        {steps.map((s, i) => {
          const record = records.find((r) => r.step === i);
          return (
            <tr key={s.title + String(i)} className="border-t border-slate-200">
              <td className="py-1.5 pr-2">
                {i + 1}. {s.title}
              </td>
              <td className="py-1.5 pr-2 tabular-nums">{record ? duration(record.startedAt, record.passedAt) : "—"}</td>
              <td className="py-1.5 tabular-nums">{s.hasCheck ? (record?.attempts ?? 0) : "—"}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** The learner's quiz answers on the current step: text, or the indexes of chosen options. */
function quizAnswers(): Record<string, string | number[]> {
  const answers: Record<string, string | number[]> = {};
  for (const fieldset of document.querySelectorAll<HTMLFieldSetElement>("[data-step-body] fieldset[data-quiz]")) {
    const id = fieldset.dataset.quiz ?? "";
    const text = fieldset.querySelector<HTMLInputElement>('input[type="text"]');
    answers[id] = text
      ? text.value
      : [...fieldset.querySelectorAll<HTMLInputElement>("input:checked")].map((input) => Number(input.value));
  }
  return answers;
}

/** Shows which questions are right (the server decided). */
function markQuiz(result: Record<string, boolean>): void {
  for (const fieldset of document.querySelectorAll<HTMLFieldSetElement>("[data-step-body] fieldset[data-quiz]")) {
    const verdict = result[fieldset.dataset.quiz ?? ""];
    if (verdict === undefined) fieldset.removeAttribute("data-correct");
    else fieldset.setAttribute("data-correct", String(verdict));
  }
}
