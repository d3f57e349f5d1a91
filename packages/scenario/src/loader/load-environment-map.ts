import { readFileSync } from "node:fs";
import {
  type DockerEnvironment,
  defaultEnvironmentMap,
  type EnvironmentMap,
  parseEnvironmentMap,
} from "../environments.ts";

/**
 * Dockyard's environment map: the built-in one for `sandboxImage`, with an admin's JSON file (ENVIRONMENTS_FILE)
 * laid over it. A file that cannot be read or is wrong throws, naming the file and the problem.
 */
export function loadEnvironmentMap(
  file: string | undefined,
  sandboxImage?: string,
  docker?: DockerEnvironment,
): EnvironmentMap {
  const base = defaultEnvironmentMap(sandboxImage, docker);
  if (!file) return base;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`The environments file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  const parsed = parseEnvironmentMap(text, base);
  if (!parsed.ok) throw new Error(`The environments file ${file} is wrong: ${parsed.error}`);
  return parsed.map;
}
