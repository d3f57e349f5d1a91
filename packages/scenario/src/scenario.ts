import type { ScenarioIssue } from "./scenario-issue.ts";

/** The intro, a step or the finish page. Scripts are file contents, not paths. */
export interface ScenarioPage {
  title: string;
  markdown: string;
  /** Path of the markdown file relative to the scenario directory, to resolve relative links and images. */
  textFile?: string;
  /** Runs hidden in the sandbox when the page opens. */
  background?: string;
  /** Typed into terminal 1 when the page opens. */
  foreground?: string;
}

export interface ScenarioStep extends ScenarioPage {
  /** 0-based position in `Scenario.steps`. */
  index: number;
  /** Script run in the sandbox when the learner presses Check. */
  verify?: string;
  /** Dockyard: a script that does the step, for automated scenario tests. */
  solve?: string;
  /** Challenges: a script that gets the elapsed seconds as `$1` and prints markdown. */
  hint?: string;
  /** Solution markdown. */
  answer?: string;
}

/** One `details.assets` entry: `file` (a glob relative to `assets/`) is copied to `target` on `host` first. */
export interface ScenarioAsset {
  /** Host name as written in index.json, e.g. `host01` or `client`. */
  host: string;
  file: string;
  target: string;
  chmod?: string;
}

/** Layout and extra UI asked for by `environment` (Katacoda) and `interface` (Killercoda). */
export interface ScenarioEnvironment {
  /** Katacoda `uilayout` as written, e.g. `terminal`, `editor-terminal`. */
  uiLayout?: string;
  /** True when an editor is asked for (`interface.layout: "ide"`, `showide`, or an editor layout). */
  editor: boolean;
  /** Directory the editor opens (`uieditorpath`), default `/root`. */
  editorPath: string;
  hideIntro: boolean;
  hideFinish: boolean;
  /** Extra terminal tabs. */
  terminals: { name: string; target?: string; command?: string }[];
  /** Dashboard tabs: a port in the sandbox or an absolute URL. */
  dashboards: { name: string; port?: number; href?: string }[];
}

export interface Scenario {
  /** Directory name. */
  slug: string;
  title: string;
  description: string;
  difficulty: string;
  time: string;
  kind: "scenario" | "challenge";
  /** `backend.imageid` ?? `backend.dockerimage` ?? `"ubuntu"`. */
  imageId: string;
  /** Dockyard (`backend.images`): the images its nested Docker engines pull, preloaded into the registry mirror. */
  images: string[];
  intro?: ScenarioPage;
  steps: ScenarioStep[];
  finish?: ScenarioPage;
  assets: ScenarioAsset[];
  environment: ScenarioEnvironment;
  /** Problems that did not stop the scenario from loading. */
  warnings: ScenarioIssue[];
}

/** A synchronous reader of files relative to the scenario directory; returns undefined when missing. */
export type ReadFile = (relativePath: string) => string | undefined;

/**
 * Lists every file under a directory of the scenario (`"."` for the whole scenario), recursively, as `/`-separated
 * paths relative to that directory; undefined when the directory is missing.
 */
export type ListFiles = (relativeDir: string) => readonly string[] | undefined;
