import { describe, expect, it } from "vitest";
import { parseSshPools, sshPoolOf } from "./ssh-pools.ts";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE+wBNFfJovAoLB3/4tbI9tqVCrED+dDUXTpUp00E17C";
const reset = { command: "/usr/local/bin/revert-vm" };

describe("parseSshPools", () => {
  it("gives each machine the pool's settings unless it has its own", () => {
    const parsed = parseSshPools(
      JSON.stringify({
        pools: {
          kubeadm: {
            keyFile: "/etc/dockyard/id_ed25519",
            knownHostsFile: "/etc/dockyard/known_hosts",
            reset,
            machines: [
              { name: "vm1", address: "10.0.0.11" },
              { name: "vm2", address: "vm2.lab", port: 2222, user: "admin", hostKey: KEY, peerAddress: "10.1.0.12" },
            ],
          },
        },
      }),
    );
    if (!parsed.ok) throw new Error(parsed.error);
    const pool = parsed.pools.get("kubeadm");
    expect(pool?.reset).toEqual({ command: "/usr/local/bin/revert-vm", timeoutSeconds: 600 });
    expect(pool?.connectTimeoutSeconds).toBe(10);
    expect(pool?.machines).toEqual([
      {
        pool: "kubeadm",
        name: "vm1",
        address: "10.0.0.11",
        port: 22,
        user: "root",
        keyFile: "/etc/dockyard/id_ed25519",
        knownHostsFile: "/etc/dockyard/known_hosts",
      },
      {
        pool: "kubeadm",
        name: "vm2",
        address: "vm2.lab",
        port: 2222,
        user: "admin",
        keyFile: "/etc/dockyard/id_ed25519",
        hostKey: KEY,
        peerAddress: "10.1.0.12",
      },
    ]);
  });

  const machine = { name: "vm1", address: "10.0.0.11", keyFile: "/k", hostKey: KEY };
  it.each([
    ["not json", /not JSON/],
    [{ pools: { p: { reset, machines: [{ ...machine, keyFile: undefined }] } } }, /machines\.0\.keyFile: a key file/],
    [
      { pools: { p: { reset, machines: [{ ...machine, hostKey: undefined }] } } },
      /hostKey: a host key, or a known_hosts/,
    ],
    [{ pools: { p: { reset, machines: [{ ...machine, address: "-oProxyCommand=x" }] } } }, /address/],
    [{ pools: { p: { reset, machines: [{ ...machine, keyFile: "/a key" }] } } }, /keyFile/],
    [{ pools: { p: { reset, machines: [{ ...machine, hostKey: "AAAA" }] } } }, /hostKey/],
    [{ pools: { p: { reset, machines: [machine, machine] } } }, /names must differ/],
    [{ pools: { p: { machines: [machine] } } }, /reset/],
    [{ pools: { p: { reset, machines: [] } } }, /machines/],
    [{ pools: { "Bad Name": { reset, machines: [machine] } } }, /pools/],
  ])("refuses %j with the reason", (body, reason) => {
    const parsed = parseSshPools(typeof body === "string" ? body : JSON.stringify(body));
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(reason);
  });
});

describe("sshPoolOf", () => {
  it("reads the pool from a host's ssh:// image, and nothing from a container image", () => {
    expect(sshPoolOf("ssh://kubeadm")).toBe("kubeadm");
    expect(sshPoolOf("dockyard/sandbox:latest")).toBeUndefined();
  });
});
