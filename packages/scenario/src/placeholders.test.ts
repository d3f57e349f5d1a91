import { describe, expect, it } from "vitest";
import { hasPlaceholders, type PlaceholderContext, substitutePlaceholders } from "./placeholders.ts";

const sid = "s-0123456789abcdef";
const running: PlaceholderContext = {
  trafficUrl: (host, port) =>
    host === "host01" ? `http://${sid}-${port}.localhost:3001/` : `http://${sid}-${host}-${port}.localhost:3001/`,
  trafficSelectorUrl: "/scenarios/demo/traffic",
  sessionId: sid,
  hostIps: { host01: "10.9.0.2", host02: "10.9.0.3" },
  previewDomain: "localhost:3001",
};
const notStarted: PlaceholderContext = {
  trafficUrl: (host, port) => `/scenarios/demo/traffic/${host}/${port}/`,
  trafficSelectorUrl: "/scenarios/demo/traffic",
  previewDomain: "localhost:3001",
};

describe("placeholders", () => {
  it("rewrites whole Katacoda preview URLs, path kept", () => {
    expect(
      substitutePlaceholders(
        "Render port 8500: https://[[HOST_SUBDOMAIN]]-8500-[[KATACODA_HOST]].environments.katacoda.com/ui/x?y=1",
        running,
      ),
    ).toBe(`Render port 8500: http://${sid}-8500.localhost:3001/ui/x?y=1`);
    expect(
      substitutePlaceholders(
        "<pre>https://[[HOST_SUBDOMAIN]]-[[KATACODA_HOST]].environments.katacoda.com/</pre>",
        running,
      ),
    ).toBe(`<pre>http://${sid}-80.localhost:3001/</pre>`);
    expect(
      substitutePlaceholders("`echo [[HOST_SUBDOMAIN]]-80-[[KATACODA_HOST]].[[KATACODA_DOMAIN]]`{{execute}}", running),
    ).toBe(`\`echo http://${sid}-80.localhost:3001/\`{{execute}}`);
    expect(
      substitutePlaceholders("http://[[HOST2_SUBDOMAIN]]-3000-[[KATACODA_HOST]].environments.katacoda.com/", running),
    ).toBe(`http://${sid}-host02-3000.localhost:3001/`);
  });

  it("gives Killercoda traffic variables and the port picker", () => {
    expect(substitutePlaceholders("[ACCESS NGINX]({{TRAFFIC_HOST1_80}})", running)).toBe(
      `[ACCESS NGINX](http://${sid}-80.localhost:3001/)`,
    );
    expect(substitutePlaceholders("[A]({{TRAFFIC_HOST2_30080}}) [P]({{TRAFFIC_SELECTOR}})", running)).toBe(
      `[A](http://${sid}-host02-30080.localhost:3001/) [P](/scenarios/demo/traffic)`,
    );
    expect(substitutePlaceholders("{{TRAFFIC_HOST1_99999}}", running)).toBe("{{TRAFFIC_HOST1_99999}}");
  });

  it("fills addresses and names of the running session", () => {
    expect(substitutePlaceholders("[[HOST_IP]] [[HOST1_IP]] [[HOST2_IP]] [[HOST3_IP]]", running)).toBe(
      "10.9.0.2 10.9.0.2 10.9.0.3 [[HOST3_IP]]",
    );
    expect(substitutePlaceholders("[[HOST_SUBDOMAIN]] [[CLIENT_SUBDOMAIN]] [[HOST2_SUBDOMAIN]]", running)).toBe(
      `${sid} ${sid} ${sid}-host02`,
    );
  });

  it("before a sandbox exists, links lead to the picker route and names stay as written", () => {
    expect(substitutePlaceholders("[Go]({{TRAFFIC_HOST1_80}}) [[HOST_IP]] [[HOST_SUBDOMAIN]]", notStarted)).toBe(
      "[Go](/scenarios/demo/traffic/host01/80/) [[HOST_IP]] [[HOST_SUBDOMAIN]]",
    );
    expect(
      substitutePlaceholders(
        "https://[[HOST_SUBDOMAIN]]-8080-[[KATACODA_HOST]].environments.katacoda.com/app",
        notStarted,
      ),
    ).toBe("/scenarios/demo/traffic/host01/8080/app");
  });

  it("leaves everything else alone, Go templates and look-alikes included", () => {
    for (const text of [
      "kubectl get pods -o go-template='{{range .items}}{{.metadata.name}}{{end}}'",
      "[[NOT_A_PLACEHOLDER]] {{TRAFFIC}} {{ execute }}",
      "",
    ]) {
      expect(hasPlaceholders(text)).toBe(false);
      expect(substitutePlaceholders(text, running)).toBe(text);
    }
  });

  it("names hosts as the environment does", () => {
    const named = {
      ...running,
      hostNames: ["controlplane", "node01"],
      hostIps: { controlplane: "10.0.0.2", node01: "10.0.0.3" },
    };
    expect(substitutePlaceholders("[[HOST_IP]] [[HOST2_IP]] {{TRAFFIC_HOST2_80}}", named)).toBe(
      `10.0.0.2 10.0.0.3 http://${sid}-node01-80.localhost:3001/`,
    );
  });
});
