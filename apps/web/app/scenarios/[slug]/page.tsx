import { findActiveLabSession, getProgress } from "@dockyard/db";
import { hasPlaceholders, renderMarkdown, stepHasCheck, substitutePlaceholders } from "@dockyard/scenario";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { env } from "@/server/env.ts";
import { environmentFor } from "@/server/environments.ts";
import { inspectSession } from "@/server/gateway-client.ts";
import { placeholderContext } from "@/server/previews.ts";
import { currentUserId } from "@/server/user.ts";
import { Lab, type LabProps } from "./_components/lab.tsx";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const scenario = await findScenario((await params).slug);
  return { title: scenario?.title ?? "Scenario not found" };
}

export default async function ScenarioPage({ params }: Params) {
  const { slug } = await params;
  const scenario = await findScenario(slug);
  if (!scenario) notFound();
  const userId = await currentUserId();
  const progress = userId ? await getProgress(db(), userId, slug) : null;
  const session = userId ? await findActiveLabSession(db(), userId, slug) : null;

  const running = session?.status === "running" ? session : null;
  const environment = environmentFor(scenario.imageId);

  // Placeholders take the running sandbox's values; before there is one, preview links lead to a picker route.
  const pages = [scenario.intro, ...scenario.steps, scenario.finish].flatMap((p) => (p ? [p] : []));
  const texts = pages.flatMap((p) => [p.markdown, p.foreground ?? ""]);
  const usesPlaceholders = texts.some(hasPlaceholders);
  const wantsIp = running && texts.some((t) => /\[\[HOST\d*_IP\]\]/.test(t));
  const state = wantsIp ? await inspectSession(running.id) : undefined;
  const context = placeholderContext(
    slug,
    environment.hosts.map((h) => h.name),
    running ? { id: running.id, hosts: state?.ok ? state.value.hosts : undefined } : undefined,
  );
  const fill = (text: string) => (usesPlaceholders ? substitutePlaceholders(text, context) : text);
  const script = (text: string | undefined) => (text ? fill(text) : null);

  const render = (page: { markdown: string; textFile?: string }) =>
    renderMarkdown(fill(page.markdown), {
      headingOffset: 2,
      textFile: page.textFile,
      imageUrl: (path) => `/api/scenarios/${encodeURIComponent(slug)}/image?path=${encodeURIComponent(path)}`,
    });
  const props: LabProps = {
    slug,
    title: scenario.title,
    challenge: scenario.kind === "challenge",
    introHtml: scenario.intro ? render(scenario.intro) : null,
    introForeground: script(scenario.intro?.foreground),
    finishHtml: scenario.finish ? render(scenario.finish) : null,
    steps: scenario.steps.map((step) => ({
      title: step.title,
      html: render(step),
      hasCheck: stepHasCheck(step),
      needsSandbox: Boolean(step.verify),
      hasHint: Boolean(step.hint),
      foreground: script(step.foreground),
    })),
    progress: {
      currentStep: progress?.currentStep ?? 0,
      steps: (progress?.steps ?? []).map((s) => ({
        step: s.step,
        startedAt: s.startedAt.toISOString(),
        passedAt: s.passedAt?.toISOString() ?? null,
        attempts: s.attempts,
      })),
    },
    environmentNote: environment.message ?? null,
    hosts: environment.hosts.map((h) => h.name),
    activeSessionId: running?.id ?? null,
    authoring: env().DOCKYARD_AUTHORING,
    placeholdersFor: usesPlaceholders ? (running?.id ?? null) : undefined,
  };
  return <Lab {...props} />;
}
