import { execFileSync } from "node:child_process";

/** Whatever a failed journey left running is removed, so no run leaks sandboxes. */
export default function globalTeardown() {
  const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
  const containers = docker("ps", "-aq", "--filter", "label=dockyard.instance=e2e");
  if (containers) {
    console.warn(`[e2e] removing ${containers.split("\n").length} sandbox container(s) left behind`);
    docker("rm", "-f", "-v", ...containers.split("\n"));
  }
  const networks = docker("network", "ls", "-q", "--filter", "label=dockyard.instance=e2e");
  if (networks) docker("network", "rm", ...networks.split("\n"));
}
