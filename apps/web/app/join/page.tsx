import type { Metadata } from "next";
import { currentViewer } from "@/server/user.ts";
import { JoinForm } from "./join-form.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Join a workshop" };

export default async function JoinPage({ searchParams }: { searchParams: Promise<{ code?: string }> }) {
  const { code } = await searchParams;
  const account = (await currentViewer())?.account;
  return (
    <main className="mx-auto w-full max-w-sm flex-1 px-6 py-12">
      <h1 className="text-2xl font-bold tracking-tight">Join a workshop</h1>
      <p className="mt-2 text-slate-600">
        Type the code your instructor gave you. No account needed; sign in first if you want your progress on other
        devices too.
      </p>
      <JoinForm code={typeof code === "string" ? code.slice(0, 32) : ""} name={account?.displayName ?? ""} />
    </main>
  );
}
