import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentViewer } from "@/server/user.ts";
import { PasswordForm } from "./password-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const account = (await currentViewer())?.account;
  if (!account) redirect("/sign-in?next=/account");
  return (
    <main className="mx-auto w-full max-w-md flex-1 px-6 py-10">
      <h1 className="text-2xl font-bold tracking-tight">Your account</h1>
      <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-6 gap-y-1 text-sm">
        <dt className="text-slate-600">Email</dt>
        <dd>{account.email}</dd>
        <dt className="text-slate-600">Name</dt>
        <dd>{account.displayName ?? "—"}</dd>
        <dt className="text-slate-600">Role</dt>
        <dd>{account.role}</dd>
      </dl>
      <h2 className="mt-8 text-lg font-bold">Change password</h2>
      <PasswordForm />
    </main>
  );
}
