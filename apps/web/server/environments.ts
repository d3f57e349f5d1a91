import "server-only";
import { defaultEnvironmentMap, type ResolvedEnvironment, resolveEnvironment } from "@dockyard/scenario";
import { env } from "./env.ts";

/** The hosts a scenario's image id maps to, and a plain message when Dockyard stands in with its fallback. */
export function environmentFor(imageId: string): ResolvedEnvironment {
  return resolveEnvironment(imageId, defaultEnvironmentMap(env().SANDBOX_IMAGE));
}
