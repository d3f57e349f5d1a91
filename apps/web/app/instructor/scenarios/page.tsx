import type { Metadata } from "next";
import Link from "next/link";
import { library } from "@/server/catalog.ts";
import { requirePageRole } from "@/server/guards.ts";
import { ScenarioTests } from "../_components/scenario-tests.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Scenarios" };

/** Every scenario an instructor can put in an event: open it to preview, or run its automated test. */
export default async function InstructorScenariosPage() {
  await requirePageRole("instructor");
  const { scenarios } = await library();
  return (
    <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-6 sm:px-6">
      <div className="flex flex-wrap items-baseline justify-between gap-3">
        <h1 className="text-2xl font-bold tracking-tight">Scenarios</h1>
        <Link href="/instructor" className="text-sm font-semibold text-sky-700 hover:underline">
          Your events
        </Link>
      </div>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        Preview opens the lab as attendees see it. Test runs it unattended in a real sandbox: each step&apos;s commands,
        then its check (<code>dockyard test</code>), so you know it works before the room does.
      </p>
      <ScenarioTests scenarios={scenarios.map((s) => ({ slug: s.slug, title: s.title, steps: s.steps.length }))} />
    </main>
  );
}
