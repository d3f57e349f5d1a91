"use client";

import { type FormEvent, useCallback, useEffect, useState } from "react";
import { HeaderRow, MessageRow, searchClass } from "../../_components/ui.tsx";

interface UserRow {
  id: string;
  email: string;
  displayName: string | null;
  role: "attendee" | "instructor" | "admin";
  createdAt: string;
}

const ROLES = ["attendee", "instructor", "admin"] as const;
const input =
  "rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-sky-500 focus:outline-none focus:ring-2 focus:ring-sky-500/40";

/** Accounts and their roles: search, change a role, add someone. */
export function Users() {
  const [users, setUsers] = useState<UserRow[] | null>(null);
  const [query, setQuery] = useState("");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(async (q: string) => {
    const res = await fetch(`/api/admin/users?q=${encodeURIComponent(q)}`, { cache: "no-store" });
    const body = (await res.json().catch(() => undefined)) as { users?: UserRow[] } | undefined;
    setUsers(body?.users ?? []);
  }, []);

  useEffect(() => {
    const timer = window.setTimeout(() => void load(query), 200);
    return () => window.clearTimeout(timer);
  }, [query, load]);

  async function changeRole(user: UserRow, role: UserRow["role"]) {
    const res = await fetch(`/api/admin/users/${user.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ role }),
    });
    const body = (await res.json().catch(() => undefined)) as { error?: { message: string } } | undefined;
    setMessage(
      res.ok
        ? { ok: true, text: `${user.email} is now ${role}.` }
        : { ok: false, text: body?.error?.message ?? "Failed." },
    );
    void load(query);
  }

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const res = await fetch("/api/admin/users", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(Object.fromEntries(new FormData(form).entries())),
    });
    const body = (await res.json().catch(() => undefined)) as
      | { user?: UserRow; error?: { message: string } }
      | undefined;
    if (res.ok) {
      form.reset();
      setMessage({ ok: true, text: `Added ${body?.user?.email}.` });
    } else setMessage({ ok: false, text: body?.error?.message ?? "Failed." });
    void load(query);
  }

  return (
    <section aria-label="Users" className="mt-5 grid gap-6 lg:grid-cols-[1fr_20rem]">
      <div>
        <label>
          <span className="sr-only">Search users</span>
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder="Search by email or name"
            className={searchClass}
          />
        </label>
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
              <HeaderRow columns={["Email", "Name", "Since", "Role"]} />
            </thead>
            <tbody className="divide-y divide-slate-100">
              {users === null && <MessageRow columns={4}>Loading…</MessageRow>}
              {users?.length === 0 && <MessageRow columns={4}>No account matches.</MessageRow>}
              {users?.map((user) => (
                <tr key={user.id}>
                  <td className="px-3 py-2 font-medium">{user.email}</td>
                  <td className="px-3 py-2">{user.displayName ?? "—"}</td>
                  <td className="px-3 py-2 text-slate-600">{new Date(user.createdAt).toLocaleDateString("en-GB")}</td>
                  <td className="px-3 py-2">
                    <select
                      aria-label={`Role of ${user.email}`}
                      value={user.role}
                      onChange={(e) => changeRole(user, e.target.value as UserRow["role"])}
                      className={`${input} py-1`}
                    >
                      {ROLES.map((role) => (
                        <option key={role} value={role}>
                          {role}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <form onSubmit={add} className="h-fit space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
        <h2 className="font-bold">Add someone</h2>
        <label className="block text-sm font-medium">
          Email
          <input name="email" type="email" required className={`${input} mt-1 w-full`} />
        </label>
        <label className="block text-sm font-medium">
          Name
          <input name="displayName" className={`${input} mt-1 w-full`} />
        </label>
        <label className="block text-sm font-medium">
          First password
          <input name="password" type="password" required minLength={10} className={`${input} mt-1 w-full`} />
        </label>
        <label className="block text-sm font-medium">
          Role
          <select name="role" defaultValue="attendee" className={`${input} mt-1 w-full`}>
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {role}
              </option>
            ))}
          </select>
        </label>
        <button
          type="submit"
          className="w-full rounded-lg bg-sky-600 px-3 py-2 text-sm font-semibold text-white hover:bg-sky-500"
        >
          Add account
        </button>
      </form>
    </section>
  );
}
