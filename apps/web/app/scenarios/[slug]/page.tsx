import { findActiveLabSession, getProgress } from "@dockyard/db";
import { hasPlaceholders, renderMarkdown, stepHasCheck, substitutePlaceholders } from "@dockyard/scenario";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { findScenario } from "@/server/catalog.ts";
import { db } from "@/server/db.ts";
import { env } from "@/server/env.ts";
import { environmentFor } from "@/server/environments.ts";
import { previewOf, previewUrl, scenarioPlaceholders } from "@/server/previews.ts";
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
  const { terminals, dashboards } = scenario.environment;
  const texts = [
    ...pages.flatMap((p) => [p.markdown, p.foreground ?? ""]),
    ...terminals.map((t) => t.command ?? ""),
    ...dashboards.map((d) => d.href ?? ""),
  ];
  // Dashboards of ports name the running sandbox as placeholders do.
  const usesPlaceholders = texts.some(hasPlaceholders) || dashboards.some((d) => d.port);
  const context = await scenarioPlaceholders(scenario, running?.id, usesPlaceholders ? texts : []);
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
    extraTerminals: extraTerminals(
      terminals,
      environment.hosts.map((h) => h.name),
    ).map((t) => ({
      ...t,
      command: t.command ? fill(t.command) : null,
    })),
    dashboards: dashboards.flatMap((d): LabProps["dashboards"] => {
      const url = d.href
        ? fill(d.href)
        : running && d.port
          ? previewUrl({ sessionId: running.id, host: "host01", port: d.port })
          : null;
      if (!url) return d.port ? [{ name: d.name, url: null, embed: true }] : [];
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return [];
      }
      // Previews of the sandbox show inside the page; other sites (which mostly refuse frames) open in a new tab.
      return /^https?:$/.test(parsed.protocol)
        ? [{ name: d.name, url: parsed.href, embed: Boolean(previewOf(parsed)) }]
        : [];
    }),
    activeSessionId: running?.id ?? null,
    authoring: env().DOCKYARD_AUTHORING,
    placeholdersFor: usesPlaceholders ? (running?.id ?? null) : undefined,
  };
  return <Lab {...props} />;
}

/**
 * Katacoda's extra terminal tabs (`environment.terminals`): each opens on its target host (host01 when unknown) as
 * that host's next terminal, named as the author wrote, and types its command once.
 */
function extraTerminals(terminals: { name: string; target?: string; command?: string }[], hosts: string[]) {
  const used = new Map<number, number>([[1, 1]]);
  return terminals.map((t) => {
    const host = Math.max(1, hosts.indexOf(t.target ?? "host01") + 1);
    const terminal = (used.get(host) ?? 0) + 1;
    used.set(host, terminal);
    return { name: t.name, host, terminal, command: t.command };
  });
}
