import { execFileSync } from "node:child_process";

/**
 * Whatever a failed journey left running is removed, so no run leaks sandboxes (nor their networks, which the
 * registry mirror may sit on). Playwright runs this before it stops
 * the web server, so the gateway may still be refilling its warm pool meanwhile: a network that gained a container
 * in between is tried again, and one still busy is left to the gateway (which drains its pool as it stops) and to
 * the next run, with a warning rather than a failed run.
 */
export default function globalTeardown() {
  const docker = (...args: string[]) => execFileSync("docker", args, { encoding: "utf8" }).trim();
  for (let round = 0; round < 3; round++) {
    const containers = docker("ps", "-aq", "--filter", "label=dockyard.instance=e2e");
    if (containers) {
      if (round === 0) console.warn(`[e2e] removing ${containers.split("\n").length} sandbox container(s) left behind`);
      docker("rm", "-f", "-v", ...containers.split("\n"));
    }
    const networks = docker("network", "ls", "-q", "--filter", "label=dockyard.instance=e2e").split("\n");
    const busy = networks.filter(Boolean).filter((network) => {
      try {
        // The registry mirror sits on Docker sessions' networks: take it off first.
        try {
          execFileSync("docker", ["network", "disconnect", "-f", network, "dockyard-registry"], { stdio: "ignore" });
        } catch {}
        execFileSync("docker", ["network", "rm", network], { stdio: "ignore" });
        return false;
      } catch {
        return true;
      }
    });
    if (busy.length === 0) return;
    if (round === 2) console.warn(`[e2e] ${busy.length} network(s) still in use; the gateway removes them as it stops`);
  }
}
