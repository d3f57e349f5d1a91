import "server-only";
import { type EnvironmentMap, type ResolvedEnvironment, resolveEnvironment } from "@dockyard/scenario";
import { loadEnvironmentMap } from "@dockyard/scenario/loader/index";
import { env } from "./env.ts";

let cached: EnvironmentMap | undefined;

/** The built-in environments with the admin's ENVIRONMENTS_FILE over them; a broken file stops the app, loudly. */
export function environmentMap(): EnvironmentMap {
  const { ENVIRONMENTS_FILE, SANDBOX_IMAGE, SANDBOX_ALLOW_DOCKER } = env();
  cached ??= loadEnvironmentMap(ENVIRONMENTS_FILE, SANDBOX_IMAGE, { allowed: SANDBOX_ALLOW_DOCKER });
  return cached;
}

/** The hosts a scenario's image id maps to, and a plain message when Dockyard stands in with its fallback. */
export function environmentFor(imageId: string): ResolvedEnvironment {
  return resolveEnvironment(imageId, environmentMap());
}
