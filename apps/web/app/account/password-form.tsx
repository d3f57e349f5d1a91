"use client";

import { type FormEvent, useState } from "react";
import { FormError, fieldClass } from "../_components/ui.tsx";

export function PasswordForm() {
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const values = Object.fromEntries(new FormData(form).entries()) as Record<string, string>;
    setError(null);
    setDone(false);
    if (values.next !== values.again) {
      setError("The new passwords differ.");
      return;
    }
    setBusy(true);
    const res = await fetch("/api/auth/password", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ current: values.current, next: values.next }),
    }).catch(() => undefined);
    const body = (await res?.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
    if (res?.ok) {
      form.reset();
      setDone(true);
    } else setError(body?.error?.message ?? "The password was not changed.");
    setBusy(false);
  }

  return (
    <form onSubmit={submit} aria-label="Change password" className="mt-4 space-y-3">
      <label className="block text-sm font-medium">
        Current password
        <input name="current" type="password" required autoComplete="current-password" className={fieldClass} />
      </label>
      <label className="block text-sm font-medium">
        New password
        <input name="next" type="password" required minLength={10} autoComplete="new-password" className={fieldClass} />
      </label>
      <label className="block text-sm font-medium">
        New password again
        <input
          name="again"
          type="password"
          required
          minLength={10}
          autoComplete="new-password"
          className={fieldClass}
        />
      </label>
      <FormError message={error} />
      {done && (
        <p
          role="status"
          className="rounded-lg border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900"
        >
          Password changed. Other browsers signed in to this account are signed out.
        </p>
      )}
      <button
        type="submit"
        disabled={busy}
        className="rounded-lg bg-sky-600 px-4 py-2 text-sm font-semibold text-white hover:bg-sky-500 disabled:opacity-60"
      >
        {busy ? "Changing…" : "Change password"}
      </button>
    </form>
  );
}
