import "server-only";
import { recordScriptRun } from "@dockyard/db";
import type { Scenario } from "@dockyard/scenario";
import { readAssetFiles } from "@dockyard/scenario/loader/index";
import { scenarioPlace } from "./catalog.ts";
import { db } from "./db.ts";
import { env } from "./env.ts";
import { putFiles, startBackground } from "./gateway-client.ts";
import { killercodaHostFile, sessionSubstitution } from "./previews.ts";

/**
 * Starts the background scripts of the pages a learner opens, inside the sandbox: the intro's with a new sandbox,
 * then each step's when it opens. Their output goes to /var/log/killercoda/ for the author. A failure to start is
 * logged, not shown: the step's own check tells the learner whether things are ready.
 */
export async function startPageScripts(sessionId: string, scenario: Scenario, step: number, withIntro: boolean) {
  const pages = [
    ...(withIntro && scenario.intro?.background
      ? [{ name: "intro-background", script: scenario.intro.background, step: undefined }]
      : []),
    ...(scenario.steps[step]?.background
      ? [{ name: `step${step + 1}-background`, script: scenario.steps[step].background, step }]
      : []),
  ];
  const fill = await sessionSubstitution(
    scenario,
    sessionId,
    pages.map((p) => p.script ?? ""),
  );
  for (const page of pages) {
    const script = fill(page.script ?? "");
    const started = await startBackground(sessionId, { host: "host01", name: page.name, script });
    if (!started.ok) console.error(`[web] ${page.name} of ${scenario.slug} did not start: ${started.error.message}`);
    if (!env().DOCKYARD_AUTHORING) continue;
    await recordScriptRun(db(), {
      sessionId,
      kind: "background",
      ...(page.step !== undefined ? { step: page.step } : {}),
      ...(started.ok
        ? {
            stdout: `${page.name} started (pid ${started.value.pid}); its output: /var/log/killercoda/${page.name}.log`,
          }
        : { error: started.error.message }),
    }).catch(() => undefined);
  }
}

/**
 * A new sandbox: each host gets Killercoda's URL template and its share of the scenario's assets first, then the
 * intro's and the current step's scripts run.
 */
export async function prepareSandbox(
  sessionId: string,
  scenario: Scenario,
  step: number,
  hosts: string[],
  progress: (phase: "files" | "setup", message: string) => void = () => undefined,
) {
  progress("files", "Copying the scenario's files");
  const place = await scenarioPlace(scenario.slug);
  const hostFile = { path: "/etc/killercoda/host", content: Buffer.from(killercodaHostFile(sessionId)), mode: 0o644 };
  await Promise.all(
    hosts.map(async (host) => {
      let files: ReturnType<typeof readAssetFiles> = [];
      try {
        files = place ? readAssetFiles(place.dir, scenario.assets, host) : [];
      } catch (error) {
        console.error(`[web] assets of ${scenario.slug} were not copied: ${(error as Error).message}`);
      }
      const put = await putFiles(sessionId, {
        host,
        files: [hostFile, ...files].map((f) => ({
          path: f.path,
          contentBase64: f.content.toString("base64"),
          mode: f.mode,
        })),
      });
      if (!put.ok) console.error(`[web] assets of ${scenario.slug} were not copied to ${host}: ${put.error.message}`);
    }),
  );
  progress("setup", "Starting the setup scripts");
  await startPageScripts(sessionId, scenario, step, true);
}
