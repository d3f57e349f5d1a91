import "server-only";
import { env } from "./env.ts";

/**
 * Katacoda and Killercoda name environments by image id (ubuntu, bash, docker, kubernetes-...). For now every id
 * that one Debian host can serve maps to the default sandbox image; issue 3 brings the configurable map.
 */
export function hostsFor(_imageId: string): { name: string; image: string }[] {
  return [{ name: "host01", image: env().SANDBOX_IMAGE }];
}
