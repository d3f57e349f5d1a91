"use client";

import Link from "next/link";
import { type FormEvent, useState } from "react";
import { FormError, fieldClass } from "./ui.tsx";

/**
 * Only a path on this site, never another origin (`//evil`, `/\t/evil`, `https:`): the address is resolved as the
 * browser would and kept only if it stays here, so the form is no open redirect.
 */
export function safeNext(next: string | undefined): string {
  if (!next?.startsWith("/")) return "/";
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : "/";
  } catch {
    return "/";
  }
}

export function AuthForm({
  mode,
  next,
  guestNote,
}: {
  mode: "sign-in" | "sign-up";
  next?: string;
  guestNote?: boolean;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signUp = mode === "sign-up";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const res = await fetch(`/api/auth/${mode}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(Object.fromEntries(form.entries())),
      });
      if (res.ok) {
        // A full load, so every part of the page (the header too) sees the new sign-in.
        window.location.assign(safeNext(next));
        return;
      }
      const body = (await res.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
      setError(body?.error?.message ?? `The server answered ${res.status}.`);
    } catch {
      setError("The network is unreachable. Try again.");
    }
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="mt-6 space-y-4" noValidate={false}>
      {signUp && (
        <label className="block text-sm font-medium">
          Name <span className="font-normal text-slate-500">(shown to your instructor)</span>
          <input name="displayName" autoComplete="name" maxLength={60} className={fieldClass} />
        </label>
      )}
      <label className="block text-sm font-medium">
        Email
        <input name="email" type="email" required autoComplete="email" maxLength={254} className={fieldClass} />
      </label>
      <label className="block text-sm font-medium">
        Password
        <input
          name="password"
          type="password"
          required
          minLength={signUp ? 10 : undefined}
          autoComplete={signUp ? "new-password" : "current-password"}
          className={fieldClass}
        />
        {signUp && <span className="mt-1 block text-xs text-slate-500">At least 10 characters.</span>}
      </label>
      <FormError message={error} />
      <button
        type="submit"
        disabled={busy}
        className="w-full rounded-lg bg-sky-600 px-4 py-2 font-semibold text-white hover:bg-sky-500 focus-visible:outline-3 focus-visible:outline-sky-300 disabled:opacity-60"
      >
        {busy ? "Please wait…" : signUp ? "Create account" : "Sign in"}
      </button>
      {guestNote && <p className="text-sm text-slate-600">What you did as a guest in this browser stays yours.</p>}
      <p className="text-sm text-slate-600">
        {signUp ? "Have an account? " : "New here? "}
        <Link
          className="font-semibold text-sky-700 hover:underline"
          href={`/${signUp ? "sign-in" : "sign-up"}${next ? `?next=${encodeURIComponent(next)}` : ""}`}
        >
          {signUp ? "Sign in" : "Create an account"}
        </Link>
      </p>
    </form>
  );
}

export function SignOutButton() {
  return (
    <button
      type="button"
      className="rounded-md px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 hover:text-white focus-visible:outline-2 focus-visible:outline-sky-400"
      onClick={async () => {
        await fetch("/api/auth/sign-out", { method: "POST" }).catch(() => undefined);
        window.location.assign("/");
      }}
    >
      Sign out
    </button>
  );
}
