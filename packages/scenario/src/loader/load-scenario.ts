import path from "node:path";
import { type ParseScenarioResult, parseScenario } from "../parse-scenario.ts";
import { createDirReader } from "./create-dir-reader.ts";

/** Reads and parses the scenario in `dir` (synchronously); the slug is the directory name. */
export function loadScenario(dir: string): ParseScenarioResult {
  return parseScenario(path.basename(path.resolve(dir)), createDirReader(dir));
}
