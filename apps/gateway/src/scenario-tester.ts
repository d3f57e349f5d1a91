import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Log, type ScenarioTestReport, type ScenarioTestStatus, scenarioTestReport } from "@dockyard/protocol";
import { DOCKYARD_CLI, JobRunner } from "./image-builder.ts";

type Result = ScenarioTestStatus["results"][number];

/**
 * Runs `dockyard test` on a scenario folder for an instructor, one test at a time (each makes real sandboxes), with
 * its output live and its report kept as the folder's last result until the gateway restarts.
 */
export class ScenarioTester extends JobRunner<string> {
  private readonly results: Map<string, Result>;
  private readonly reports: string;

  constructor(options: { cli?: string; log?: Log } = {}) {
    const reports = mkdtempSync(join(tmpdir(), "dockyard-scenario-tests-"));
    const results = new Map<string, Result>();
    const reportFile = (dir: string) =>
      join(reports, `${createHash("sha256").update(dir).digest("hex").slice(0, 16)}.json`);
    super({
      name: "scenario test",
      busy: "A scenario test is running; one at a time, as each makes real sandboxes.",
      command: (dir) => ({
        file: process.execPath,
        args: [options.cli ?? DOCKYARD_CLI, "test", dir, "--report", reportFile(dir)],
      }),
      onEnd: (dir, result) => {
        let report: ScenarioTestReport | undefined;
        try {
          const parsed = scenarioTestReport.safeParse(JSON.parse(readFileSync(reportFile(dir), "utf8")));
          if (parsed.success) report = parsed.data;
        } catch {
          // No report: the test did not get that far (its output says why).
        }
        rmSync(reportFile(dir), { force: true });
        results.set(dir, { ...result, dir, finishedAt: new Date().toISOString(), ...(report ? { report } : {}) });
        return report;
      },
      ...(options.log ? { log: options.log } : {}),
    });
    this.results = results;
    this.reports = reports;
  }

  testStatus(): ScenarioTestStatus {
    const status = this.status();
    return {
      running: status.running ? (this.input ?? null) : null,
      lines: status.lines,
      results: [...this.results.values()],
    };
  }

  /** Ends a running test and forgets the reports' folder (the gateway stopping). */
  close(): void {
    this.stop();
    rmSync(this.reports, { recursive: true, force: true });
  }
}
