import { getEvent } from "@dockyard/db";
import type { Metadata } from "next";
import { forbidden, notFound } from "next/navigation";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { requirePageRole } from "@/server/guards.ts";
import { Console } from "../../_components/console.tsx";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Live console" };

/** The live console of one event: its owner's, or any admin's. */
export default async function EventConsolePage({ params }: { params: Promise<{ id: string }> }) {
  const account = await requirePageRole("instructor");
  const { id } = await params;
  const event = /^[0-9a-f-]{36}$/.test(id) ? await getEvent(db(), id) : null;
  if (!event) notFound();
  if (account.role !== "admin" && event.ownerId !== account.id) forbidden();
  const scenarios = await Promise.all(
    event.scenarios.map(async (slug) => {
      const scenario = await findScenario(slug);
      return { slug, title: scenario?.title ?? slug, steps: scenario?.steps.map((s) => s.title) ?? [] };
    }),
  );
  return (
    <Console
      event={{
        id: event.id,
        code: event.code,
        title: event.title,
        startsAt: event.startsAt.toISOString(),
        endsAt: event.endsAt.toISOString(),
        capacity: event.capacity,
        warmPool: event.warmPool,
      }}
      scenarios={scenarios}
    />
  );
}
