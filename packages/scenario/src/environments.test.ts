import { describe, expect, it } from "vitest";
import { defaultEnvironmentMap, resolveEnvironment } from "./environments.ts";

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
    const resolved = resolveEnvironment("kubernetes-kubeadm-2nodes", map);
    expect(resolved.exact).toBe(false);
    expect(resolved.hosts).toEqual([{ name: "host01", image: "img:1" }]);
    expect(resolved.message).toMatch(/"kubernetes-kubeadm-2nodes" is not available here/);
  });
});
