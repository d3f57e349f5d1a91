/**
 * Katacoda and Killercoda name a scenario's environment by image id (`ubuntu`, `bash`, `docker`,
 * `kubernetes-kubeadm-2nodes`, `python:3.8`, ...). Dockyard maps each id to its own images and a host count.
 */
export interface EnvironmentSpec {
  /** The hosts, host01 first: one container each. */
  hosts: { name: string; image: string; workdir?: string }[];
}

export interface EnvironmentMap {
  /** Exact ids, or a prefix ending in `*` (`ubuntu*` serves `ubuntu:2004`). */
  environments: Record<string, EnvironmentSpec>;
  /** Used for ids the map does not know, with a plain message to author and learner. */
  fallback: EnvironmentSpec;
}

export interface ResolvedEnvironment extends EnvironmentSpec {
  /** False when the id is not served as asked and the fallback stands in. */
  exact: boolean;
  /** Why the fallback stands in, for author and learner. */
  message?: string;
}

const single = (image: string, workdir?: string): EnvironmentSpec => ({
  hosts: [{ name: "host01", image, ...(workdir ? { workdir } : {}) }],
});

/** One Debian host serves every plain-Linux id; the rest fall back with a message until their images exist. */
export function defaultEnvironmentMap(sandboxImage = "dockyard/sandbox:latest"): EnvironmentMap {
  const linux = single(sandboxImage);
  return {
    environments: {
      "ubuntu*": linux,
      "debian*": linux,
      bash: linux,
      "centos*": linux,
      // Katacoda's git environment opened its terminals in the scrapbook tutorial folder; its scenarios rely on it.
      git: single(sandboxImage, "/home/scrapbook/tutorial"),
    },
    fallback: linux,
  };
}

export function resolveEnvironment(imageId: string, map: EnvironmentMap): ResolvedEnvironment {
  const id = imageId.trim().toLowerCase();
  const exact = map.environments[id];
  if (exact) return { ...exact, exact: true };
  for (const [pattern, spec] of Object.entries(map.environments)) {
    if (pattern.endsWith("*") && id.startsWith(pattern.slice(0, -1))) return { ...spec, exact: true };
  }
  return {
    ...map.fallback,
    exact: false,
    message: `The environment "${imageId}" is not available here; this scenario runs on a plain Linux host instead, so some steps may not work.`,
  };
}
