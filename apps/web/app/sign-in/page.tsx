import type { Metadata } from "next";
import { currentViewer } from "@/server/user.ts";
import { AuthForm } from "../_components/auth-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in" };

export default async function Page({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const { next } = await searchParams;
  const viewer = await currentViewer();
  return (
    <main className="mx-auto w-full max-w-sm flex-1 px-6 py-12">
      <h1 className="text-2xl font-bold tracking-tight">Sign in</h1>
      <p className="mt-2 text-slate-600">Keep your progress across devices, and see your workshops.</p>
      {viewer?.account ? (
        <p className="mt-6 rounded-lg border border-sky-200 bg-sky-50 p-3 text-sm text-sky-900">
          You are signed in as {viewer.account.email}.
        </p>
      ) : (
        <AuthForm mode="sign-in" next={typeof next === "string" ? next : undefined} guestNote />
      )}
    </main>
  );
}
