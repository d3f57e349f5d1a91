"use client";

import { type FormEvent, useState } from "react";
import { FormError, fieldClass } from "../_components/ui.tsx";

export function JoinForm({ code, name }: { code: string; name: string }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const form = Object.fromEntries(new FormData(event.currentTarget).entries());
    try {
      const res = await fetch("/api/events/join", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(form),
      });
      const body = (await res.json().catch(() => undefined)) as
        | { event?: { code: string }; error?: { message: string } }
        | undefined;
      if (res.ok && body?.event) {
        window.location.assign(`/events/${body.event.code}`);
        return;
      }
      setError(body?.error?.message ?? `The server answered ${res.status}.`);
    } catch {
      setError("The network is unreachable. Try again.");
    }
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="mt-6 space-y-4">
      <label className="block text-sm font-medium">
        Event code
        <input
          name="code"
          required
          defaultValue={code}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={32}
          className={`${fieldClass} font-mono text-lg tracking-widest uppercase`}
        />
      </label>
      <label className="block text-sm font-medium">
        Your name <span className="font-normal text-slate-500">(as your instructor will see it)</span>
        <input
          name="displayName"
          required
          defaultValue={name}
          maxLength={60}
          autoComplete="name"
          className={fieldClass}
        />
      </label>
      <FormError message={error} />
      <button
        type="submit"
        disabled={busy}
        className="w-full rounded-lg bg-sky-600 px-4 py-2 font-semibold text-white hover:bg-sky-500 disabled:opacity-60"
      >
        {busy ? "Joining…" : "Join"}
      </button>
    </form>
  );
}
