"use client";

import type { EngineRow } from "@dockyard/protocol";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { FormError, fieldClass, HeaderRow, MessageRow } from "../../_components/ui.tsx";
import { span } from "./format.ts";

const POLL_MS = 5000;
const card = "rounded-xl border border-slate-200 bg-white p-4 shadow-sm";
const button =
  "rounded-lg border border-slate-300 bg-white px-2.5 py-1 text-xs font-semibold text-slate-700 shadow-sm hover:bg-slate-50 disabled:opacity-50";

const labelsOf = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter(Boolean);

async function send(path: string, method: string, body?: unknown): Promise<string | null> {
  const res = await fetch(path, {
    method,
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.ok) return null;
  const answer = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
  return answer?.error?.message ?? `Failed (${res.status}).`;
}

/** The Docker engines: state, sandboxes against capacity, labels; register one, change or remove one. */
export function Engines({ initial, problem: initialProblem }: { initial: EngineRow[]; problem: string | null }) {
  const [engines, setEngines] = useState<EngineRow[]>(initial);
  const [problem, setProblem] = useState<string | null>(initialProblem);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [registering, setRegistering] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const res = await fetch("/api/admin/engines", { cache: "no-store" });
    const body = (await res.json().catch(() => undefined)) as
      | { engines?: EngineRow[]; error?: { message: string } }
      | undefined;
    if (res.ok && body?.engines) {
      setEngines(body.engines);
      setProblem(null);
    } else setProblem(body?.error?.message ?? "The engines could not be read.");
  }, []);

  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  async function register(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "").trim();
    const tls = { ca: text("ca"), cert: text("cert"), key: text("key") };
    setRegistering(true);
    setFormError(null);
    const failed = await send("/api/admin/engines", "POST", {
      name: text("name"),
      endpoint: text("endpoint"),
      capacity: Number(text("capacity")),
      labels: labelsOf(text("labels")),
      ...(text("subnets") ? { subnets: text("subnets") } : {}),
      ...(tls.ca || tls.cert || tls.key ? { tls } : {}),
    });
    setRegistering(false);
    if (failed) return setFormError(failed);
    form.reset();
    setMessage({ ok: true, text: `Engine ${text("name")} registered.` });
    void load();
  }

  async function change(engine: EngineRow, patch: { capacity?: number; labels?: string[]; enabled?: boolean }) {
    const failed = await send(`/api/admin/engines/${engine.name}`, "PATCH", patch);
    setMessage(failed ? { ok: false, text: failed } : { ok: true, text: `Engine ${engine.name} changed.` });
    if (!failed) setEditing(null);
    void load();
  }

  async function remove(engine: EngineRow) {
    if (!window.confirm(`Remove engine ${engine.name}? Dockyard stops using it; its machine is left as it is.`)) return;
    const failed = await send(`/api/admin/engines/${engine.name}`, "DELETE");
    setMessage(failed ? { ok: false, text: failed } : { ok: true, text: `Engine ${engine.name} removed.` });
    void load();
  }

  function save(engine: EngineRow, event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    void change(engine, {
      capacity: Number(data.get("capacity")),
      labels: labelsOf(String(data.get("labels") ?? "")),
    });
  }

  return (
    <div className="mt-5 grid gap-6 xl:grid-cols-[1fr_22rem]">
      <section aria-label="Engines">
        <p className="text-sm text-slate-600">
          Sandboxes start on the enabled engine with the most room that has the labels they need (<code>docker</code>{" "}
          for hosts with their own Docker engine). An engine that stops answering is marked down: its sandboxes are lost
          (their users are told) and new ones go elsewhere.
        </p>
        {problem && (
          <p role="alert" className="mt-3 text-sm text-red-700">
            {problem}
          </p>
        )}
        {message && (
          <p
            role={message.ok ? "status" : "alert"}
            className={`mt-3 rounded-lg border px-3 py-2 text-sm ${message.ok ? "border-sky-200 bg-sky-50 text-sky-900" : "border-red-300 bg-red-50 text-red-800"}`}
          >
            {message.text}
          </p>
        )}
        <div className="relative mt-3 overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="w-full text-sm">
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-slate-700">
              <HeaderRow columns={["Engine", "State", "Sandboxes", "Labels", "Actions"]} />
            </thead>
            <tbody className="divide-y divide-slate-100">
              {engines.length === 0 && <MessageRow columns={5}>No engine is registered.</MessageRow>}
              {engines.map((engine) => (
                <tr key={engine.name} data-engine={engine.name} className="align-top">
                  <td className="px-3 py-2">
                    <div className="font-semibold">{engine.name}</div>
                    <code className="break-all text-xs text-slate-600">{engine.endpoint}</code>
                    <div className="text-xs text-slate-500">
                      {engine.tls ? "TLS" : "no TLS"}
                      {engine.subnets ? ` · subnets ${engine.subnets}` : ""}
                    </div>
                  </td>
                  <td className="px-3 py-2">
                    <span
                      className={`rounded px-1.5 text-xs font-semibold ${engine.state === "up" ? "bg-emerald-100 text-emerald-900" : "bg-red-100 text-red-900"}`}
                    >
                      {engine.state}
                    </span>
                    {!engine.enabled && (
                      <span className="ml-1 rounded bg-slate-200 px-1.5 text-xs font-semibold text-slate-700">
                        disabled
                      </span>
                    )}
                    <div className="mt-1 text-xs text-slate-600">
                      {engine.lastSeenAt
                        ? `seen ${span(Date.now() - Date.parse(engine.lastSeenAt))} ago`
                        : "not seen yet"}
                    </div>
                    {engine.lastError && <div className="mt-1 max-w-xs text-xs text-red-700">{engine.lastError}</div>}
                  </td>
                  <td className="px-3 py-2">
                    {editing === engine.name ? (
                      <form id={`edit-${engine.name}`} onSubmit={(e) => save(engine, e)}>
                        <label className="text-xs font-medium">
                          Capacity
                          <input
                            name="capacity"
                            type="number"
                            min={1}
                            max={10000}
                            required
                            defaultValue={engine.capacity}
                            className={`${fieldClass} w-24`}
                          />
                        </label>
                      </form>
                    ) : (
                      <>
                        <span className="font-semibold">{engine.sessions}</span> of {engine.capacity}
                        <div className="text-xs text-slate-600">{engine.warm} warm</div>
                      </>
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {editing === engine.name ? (
                      <label className="text-xs font-medium">
                        Labels
                        <input
                          form={`edit-${engine.name}`}
                          name="labels"
                          defaultValue={engine.labels.join(" ")}
                          className={`${fieldClass} w-40`}
                        />
                      </label>
                    ) : engine.labels.length > 0 ? (
                      engine.labels.map((l) => (
                        <span key={l} className="mr-1 rounded bg-slate-100 px-1.5 font-mono text-xs">
                          {l}
                        </span>
                      ))
                    ) : (
                      <span className="text-slate-500">—</span>
                    )}
                  </td>
                  <td className="space-x-1 space-y-1 px-3 py-2 whitespace-nowrap">
                    {editing === engine.name ? (
                      <>
                        <button type="submit" form={`edit-${engine.name}`} className={button}>
                          Save
                        </button>
                        <button type="button" className={button} onClick={() => setEditing(null)}>
                          Cancel
                        </button>
                      </>
                    ) : (
                      <>
                        <button type="button" className={button} onClick={() => setEditing(engine.name)}>
                          Edit
                        </button>
                        <button
                          type="button"
                          className={button}
                          onClick={() => void change(engine, { enabled: !engine.enabled })}
                        >
                          {engine.enabled ? "Disable" : "Enable"}
                        </button>
                        <button
                          type="button"
                          className={button}
                          disabled={engine.sessions > 0}
                          title={engine.sessions > 0 ? "Disable it and wait for its sandboxes to end first" : undefined}
                          onClick={() => void remove(engine)}
                        >
                          Remove
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <form onSubmit={register} className={`${card} h-fit space-y-3`} aria-label="Register an engine">
        <h2 className="font-bold">Register an engine</h2>
        <label className="block text-sm font-medium">
          Name
          <input name="name" required pattern="[a-z0-9][a-z0-9-]{0,31}" className={fieldClass} />
        </label>
        <label className="block text-sm font-medium">
          Endpoint
          <input
            name="endpoint"
            required
            placeholder="tcp://10.0.0.5:2376 or unix:///run/docker.sock"
            className={fieldClass}
          />
        </label>
        <label className="block text-sm font-medium">
          Capacity (sandboxes)
          <input name="capacity" type="number" min={1} max={10000} required defaultValue={20} className={fieldClass} />
        </label>
        <label className="block text-sm font-medium">
          Labels
          <input name="labels" placeholder="docker ssd" className={fieldClass} />
        </label>
        <label className="block text-sm font-medium">
          Subnets for session networks
          <input name="subnets" placeholder="10.214.0.0/16 (default: the gateway's)" className={fieldClass} />
        </label>
        <fieldset className="space-y-2">
          <legend className="text-sm font-medium">TLS (for TCP engines), PEM</legend>
          <textarea name="ca" rows={2} placeholder="CA certificate" className={`${fieldClass} font-mono text-xs`} />
          <textarea
            name="cert"
            rows={2}
            placeholder="Client certificate"
            className={`${fieldClass} font-mono text-xs`}
          />
          <textarea
            name="key"
            rows={2}
            placeholder="Client key (kept on the server, never shown again)"
            className={`${fieldClass} font-mono text-xs`}
          />
        </fieldset>
        <FormError message={formError} />
        <button
          type="submit"
          disabled={registering}
          className="w-full rounded-lg bg-sky-600 px-3 py-2 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-60"
        >
          {registering ? "Checking that it answers…" : "Register"}
        </button>
      </form>
    </div>
  );
}
