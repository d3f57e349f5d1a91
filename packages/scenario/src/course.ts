import type { ScenarioIssue } from "./scenario-issue.ts";

/** One entry of a course: a scenario, or (Killercoda) a folder of scenarios that is a course of its own. */
export interface CourseItem {
  /** Directory relative to the repository root, `/`-separated. */
  path: string;
  kind: "scenario" | "course";
  /** What the course calls the entry, in place of the scenario's own title and description. */
  title?: string;
  description?: string;
}

/** A Katacoda pathway (`<course>-pathway.json`) or a Killercoda `structure.json`: scenarios in a chosen order. */
export interface Course {
  /** The course file relative to the repository root, e.g. `challenges-pathway.json`, `course2/structure.json`. */
  file: string;
  format: "katacoda-pathway" | "killercoda-structure";
  /** The folder the course orders, relative to the root (`""` for the root): Katacoda `<course>/`, else the file's. */
  dir: string;
  title: string;
  description: string;
  /** Entries that exist, in the course's order. */
  items: CourseItem[];
  /** Problems that did not stop the course from loading; `file` is relative to the repository root. */
  warnings: ScenarioIssue[];
}
