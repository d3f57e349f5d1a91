import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Holding, MachinePool } from "./machine-pool.ts";
import { parseSshPools, type SshPools } from "./ssh-pools.ts";

function poolsOf(...names: string[]): SshPools {
  const parsed = parseSshPools(
    JSON.stringify({
      pools: {
        vms: {
          keyFile: "/etc/dockyard/id_ed25519",
          knownHostsFile: "/etc/dockyard/known_hosts",
          reset: { command: "/usr/local/bin/revert-vm" },
          machines: names.map((name, i) => ({ name, address: `10.0.0.${i + 10}` })),
        },
      },
    }),
  );
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.pools;
}

const holding = (sessionId: string, host = "host01"): Holding => ({
  sessionId,
  host,
  userId: "u",
  scenario: "lab",
  created: new Date().toISOString(),
});

const stateOf = (pool: MachinePool) => Object.fromEntries(pool.status().map((s) => [s.machine.name, s.state]));

describe("MachinePool", () => {
  let dir = "";
  let file = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "machine-pool-"));
    file = join(dir, "state.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("a held machine the admin takes out and puts back is reset, not handed out as free", () => {
    const first = new MachinePool(poolsOf("vm1", "vm2"), file);
    const taken = first.take([{ pool: "vms", holding: holding("s1") }]);
    expect(taken.ok && taken.value.map((t) => t.machine.name)).toEqual(["vm1"]);

    // vm1 leaves the pools file; its session ends meanwhile, and vm2's state changes are saved.
    const without = new MachinePool(poolsOf("vm2"), file);
    expect(stateOf(without)).toEqual({ vm2: "free" });
    expect(without.release("s1")).toEqual([]);
    expect(without.take([{ pool: "vms", holding: holding("s2") }]).ok).toBe(true);

    // Put back: it waits for its reset, and recover's resetAgain hands it to the reset.
    const back = new MachinePool(poolsOf("vm1", "vm2"), file);
    expect(stateOf(back)).toEqual({ vm1: "resetting", vm2: "held" });
    const refused = back.take([{ pool: "vms", holding: holding("s3") }]);
    expect(refused.ok).toBe(false);
    expect(back.resetAgain("resetting").map((m) => m.name)).toEqual(["vm1"]);
  });

  it("an unusable machine taken out and put back stays unusable until a reset succeeds", () => {
    const first = new MachinePool(poolsOf("vm1", "vm2"), file);
    const [vm1] = poolsOf("vm1").get("vms")?.machines ?? [];
    if (!vm1) throw new Error("no vm1");
    first.settle(vm1, "the reset command ended with 1");

    const without = new MachinePool(poolsOf("vm2"), file);
    expect(without.take([{ pool: "vms", holding: holding("s1") }]).ok).toBe(true);

    const back = new MachinePool(poolsOf("vm1", "vm2"), file);
    expect(stateOf(back)).toEqual({ vm1: "unusable", vm2: "held" });
    expect(back.take([{ pool: "vms", holding: holding("s2") }]).ok).toBe(false);
    expect(back.resetAgain("unusable").map((m) => m.name)).toEqual(["vm1"]);
    back.settle(vm1);
    expect(back.take([{ pool: "vms", holding: holding("s2") }]).ok).toBe(true);
  });
});
