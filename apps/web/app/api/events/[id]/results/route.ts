import { eventProgress } from "@dockyard/db";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { requireEventOwner } from "@/server/events.ts";

export const dynamic = "force-dynamic";

/** A CSV cell: quoted, quotes doubled, and a leading = + - @ defused so a spreadsheet does not run it as a formula. */
function csvCell(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** The results as CSV: one row per attendee and scenario, with steps passed and times. The event's owner only. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const owned = await requireEventOwner((await params).id);
  if (!owned.ok) return owned.response;
  const { event } = owned;
  const attendees = await eventProgress(db(), event);
  const rows: (string | number | null)[][] = [
    ["attendee", "joined", "scenario", "steps", "steps passed", "current step", "completed", "checks tried"],
  ];
  for (const slug of event.scenarios) {
    const stepCount = (await findScenario(slug))?.steps.length ?? 0;
    for (const a of attendees) {
      const p = a.scenarios[slug];
      rows.push([
        a.displayName,
        a.joinedAt.toISOString(),
        slug,
        stepCount,
        p ? p.steps.filter((s) => s.passedAt).length : 0,
        p ? Math.min(p.currentStep + 1, stepCount) : null,
        p?.completedAt?.toISOString() ?? null,
        p ? p.steps.reduce((n, s) => n + s.attempts, 0) : 0,
      ]);
    }
  }
  const csv = `${rows.map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
  return new Response(csv, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${event.code}-results.csv"`,
      "cache-control": "no-store",
    },
  });
}
