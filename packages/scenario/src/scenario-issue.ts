/** One problem found in a scenario, located by file and (where known) field, line and column. */
export interface ScenarioIssue {
  /** Path relative to the scenario directory, e.g. `index.json`; for a course, relative to the repository root. */
  file: string;
  /** Dotted path inside the file, e.g. `details.steps[2].text`. */
  field?: string;
  message: string;
  /** Errors stop the scenario from loading; warnings are shown to authors only. */
  severity: "error" | "warning";
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}
