import { listProgress } from "@dockyard/db";
import { renderMarkdown } from "@dockyard/scenario";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { library } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { currentUserId } from "@/server/user.ts";
import { CourseProgress, ScenarioGrid } from "../../_components/scenario-grid.tsx";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const { slug } = await params;
  const course = (await library()).courses.find((c) => c.slug === slug);
  return { title: course ? `${course.title} · Dockyard` : "Course not found · Dockyard" };
}

/** The README without a first heading that only repeats the course's title, which the page shows already. */
function withoutTitle(readme: string, title: string): string {
  const first = /^\s*#\s+(.+)\n/.exec(readme);
  return first && first[1]?.trim().toLowerCase() === title.trim().toLowerCase()
    ? readme.slice(first[0].length)
    : readme;
}

/** A course: its labs in order with the learner's progress in each, where to go on, and the course's notes. */
export default async function CoursePage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { scenarios, courses } = await library();
  const course = courses.find((c) => c.slug === slug);
  if (!course) notFound();
  const bySlug = new Map(scenarios.map((s) => [s.slug, s]));
  const labs = course.slugs.flatMap((s) => bySlug.get(s) ?? []);
  const userId = await currentUserId();
  const mine = userId ? await listProgress(db(), userId) : [];
  const progress = new Map(mine.filter((p) => course.slugs.includes(p.scenarioSlug)).map((p) => [p.scenarioSlug, p]));
  // Where to go on: the first lab not finished (the first of all when none is started).
  const next = labs.find((lab) => !progress.get(lab.slug)?.completedAt);
  const started = progress.size > 0;
  const minutes = labs.reduce((sum, lab) => sum + (Number(/^(\d+)\s*min/.exec(lab.time)?.[1]) || 0), 0);
  return (
    <main className="mx-auto w-full max-w-5xl px-6 py-10">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/" className="hover:text-sky-700 hover:underline">
          Labs
        </Link>{" "}
        / Course
      </nav>
      <h1 className="mt-2 text-3xl font-bold tracking-tight">{course.title}</h1>
      {course.description && <p className="mt-2 max-w-3xl text-slate-600">{course.description}</p>}
      <p className="mt-2 text-sm text-slate-600">
        {labs.length} labs
        {minutes > 0 ? ` · about ${minutes >= 90 ? `${Math.round(minutes / 30) / 2} h` : `${minutes} min`}` : ""}
      </p>
      <CourseProgress slugs={course.slugs} progress={progress} />
      <div className="mt-4">
        {next ? (
          <Link
            href={`/scenarios/${next.slug}`}
            className="inline-block rounded-lg bg-sky-600 px-4 py-2 font-semibold text-white hover:bg-sky-500 focus-visible:outline-3 focus-visible:outline-sky-500"
          >
            {started ? `Continue: ${next.title}` : `Start with ${next.title}`}
          </Link>
        ) : (
          <p className="font-semibold text-emerald-700">You finished every lab of this course.</p>
        )}
      </div>
      <section aria-label="Labs in order" className="mt-6">
        <h2 className="sr-only">Labs in order</h2>
        <ScenarioGrid scenarios={labs} progress={progress} numbered />
      </section>
      {course.readme && (
        <section
          aria-label="About this course"
          className="mt-10 rounded-xl border border-slate-200 bg-white p-6 shadow-sm"
        >
          <div
            className="step-content"
            // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by @dockyard/scenario renderMarkdown
            dangerouslySetInnerHTML={{
              __html: renderMarkdown(withoutTitle(course.readme, course.title), { headingOffset: 1 }),
            }}
          />
        </section>
      )}
    </main>
  );
}
