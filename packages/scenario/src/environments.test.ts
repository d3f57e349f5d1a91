import { describe, expect, it } from "vitest";
import { defaultEnvironmentMap, parseEnvironmentMap, resolveEnvironment, sshPoolOf } from "./environments.ts";

describe("resolveEnvironment", () => {
  const map = defaultEnvironmentMap("img:1");

  it("serves plain Linux ids and their versions exactly", () => {
    for (const id of ["ubuntu", "ubuntu:2004", "bash", "Debian"]) {
      expect(resolveEnvironment(id, map)).toEqual({ hosts: [{ name: "host01", image: "img:1" }], exact: true });
    }
  });

  it("keeps Katacoda's working directory where scenarios rely on it", () => {
    expect(resolveEnvironment("git", map).hosts[0]?.workdir).toBe("/home/scrapbook/tutorial");
  });

  it("falls back with a plain message for ids it cannot serve", () => {
    const resolved = resolveEnvironment("python:3.8", map);
    expect(resolved.exact).toBe(false);
    expect(resolved.hosts).toEqual([{ name: "host01", image: "img:1" }]);
    expect(resolved.message).toMatch(/"python:3.8" is not available here/);
  });

  it("gives multi-host ids two hosts, saying what is missing", () => {
    const resolved = resolveEnvironment("kubernetes-kubeadm-2nodes", map);
    expect(resolved.hosts.map((h) => h.name)).toEqual(["host01", "host02"]);
    expect(resolved.message).toMatch(/two plain Linux hosts/);
  });
});

describe("the docker environment", () => {
  it("gives hosts their own Docker engine where the admin allows it", () => {
    const on = defaultEnvironmentMap("img:1", { allowed: true, image: "dind:1" });
    expect(resolveEnvironment("docker", on)).toEqual({
      hosts: [{ name: "host01", image: "dind:1", docker: true }],
      exact: true,
    });
    expect(resolveEnvironment("docker-swarm", on).hosts.map((h) => h.docker)).toEqual([true, true]);
  });

  it("falls back to plain hosts where it is off, and says Docker will not work", () => {
    const off = defaultEnvironmentMap("img:1");
    const resolved = resolveEnvironment("docker", off);
    expect(resolved.hosts).toEqual([{ name: "host01", image: "img:1" }]);
    expect(resolved.message).toMatch(/turned off on this Dockyard.*Docker commands will not work/);
  });
});

describe("parseEnvironmentMap", () => {
  const base = defaultEnvironmentMap("img:1");

  it("passes an environment's engine labels on to placement, and refuses malformed ones", () => {
    const parsed = parseEnvironmentMap(
      JSON.stringify({
        environments: { gpu: { hosts: [{ name: "host01", image: "cuda:1" }], engineLabels: ["gpu"] } },
      }),
      base,
    );
    if (!parsed.ok) throw new Error(parsed.error);
    expect(resolveEnvironment("gpu", parsed.map).engineLabels).toEqual(["gpu"]);
    expect(resolveEnvironment("ubuntu", parsed.map).engineLabels).toBeUndefined();
    const bad = parseEnvironmentMap(
      JSON.stringify({
        environments: { gpu: { hosts: [{ name: "host01", image: "cuda:1" }], engineLabels: ["GPU!"] } },
      }),
      base,
    );
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/engine labels/);
  });

  it("adds and replaces ids, and may replace the fallback", () => {
    const parsed = parseEnvironmentMap(
      JSON.stringify({
        environments: {
          "Python:3.8": { hosts: [{ name: "host01", image: "dockyard/python:3.8", limits: { memoryMb: 2048 } }] },
          "kubernetes-*": {
            hosts: [
              { name: "controlplane", image: "k8s:1" },
              { name: "node01", image: "k8s:1" },
            ],
          },
        },
        fallback: { hosts: [{ name: "host01", image: "other:2" }] },
      }),
      base,
    );
    if (!parsed.ok) throw new Error(parsed.error);
    expect(resolveEnvironment("python:3.8", parsed.map)).toEqual({
      hosts: [{ name: "host01", image: "dockyard/python:3.8", limits: { memoryMb: 2048 } }],
      exact: true,
    });
    expect(resolveEnvironment("kubernetes-cluster:1.18", parsed.map).hosts.map((h) => h.name)).toEqual([
      "controlplane",
      "node01",
    ]);
    expect(resolveEnvironment("ubuntu", parsed.map).hosts[0]?.image).toBe("img:1");
    expect(resolveEnvironment("rust:1.44.1", parsed.map).hosts[0]?.image).toBe("other:2");
  });

  it.each([
    ["{nope", /not JSON/],
    [JSON.stringify({ environments: { x: { hosts: [] } } }), /environments\.x\.hosts/],
    [JSON.stringify({ environments: { x: { hosts: [{ name: "Host 1", image: "i" }] } } }), /host names/],
    [
      JSON.stringify({
        environments: {
          x: {
            hosts: [
              { name: "a", image: "i" },
              { name: "a", image: "i" },
            ],
          },
        },
      }),
      /must differ/,
    ],
    [JSON.stringify({ environment: {} }), /environment/],
    [
      JSON.stringify({ environments: { x: { hosts: [{ name: "a", image: "i", limits: { memoryMb: 10 } }] } } }),
      /memoryMb/,
    ],
    [
      JSON.stringify({ environments: { x: { hosts: [{ name: "a", image: "i", limits: { disk: 1 } }] } } }),
      /disk|limits/,
    ],
  ])("refuses %s with the reason", (text, reason) => {
    const parsed = parseEnvironmentMap(text, base);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(reason);
  });
});

describe("an ssh environment", () => {
  const base = defaultEnvironmentMap("img:1");

  it("makes each host a machine from the named pool of the gateway", () => {
    const parsed = parseEnvironmentMap(
      JSON.stringify({
        environments: {
          "kubernetes-kubeadm-2nodes": {
            type: "ssh",
            pool: "kubeadm",
            hosts: [{ name: "controlplane" }, { name: "node01", workdir: "/root/lab" }],
            note: "Real machines.",
          },
        },
      }),
      base,
    );
    if (!parsed.ok) throw new Error(parsed.error);
    const resolved = resolveEnvironment("kubernetes-kubeadm-2nodes", parsed.map);
    expect(resolved).toEqual({
      hosts: [
        { name: "controlplane", image: "ssh://kubeadm" },
        { name: "node01", workdir: "/root/lab", image: "ssh://kubeadm" },
      ],
      exact: true,
      message: "Real machines.",
    });
    expect(resolved.hosts.map((h) => sshPoolOf(h.image))).toEqual(["kubeadm", "kubeadm"]);
    expect(sshPoolOf("img:1")).toBeUndefined();
  });

  it.each([
    [{ type: "ssh", hosts: [{ name: "host01" }] }, /k8s\.pool/],
    [{ type: "ssh", pool: "p", hosts: [{ name: "host01", image: "i" }] }, /hosts\.0.*image/],
    [{ type: "ssh", pool: "p", hosts: [{ name: "host01", docker: true }] }, /docker/],
    [{ type: "ssh", pool: "p", internet: false, hosts: [{ name: "host01" }] }, /internet/],
    [{ type: "ssh", pool: "p", hosts: [{ name: "a" }, { name: "a" }] }, /must differ/],
    [{ type: "vm", hosts: [{ name: "a", image: "i" }] }, /k8s\.type/],
  ])("refuses %j with the reason", (spec, reason) => {
    const parsed = parseEnvironmentMap(JSON.stringify({ environments: { k8s: spec } }), base);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(reason);
  });
});
