import { describe, expect, it } from "vitest";
import { parsePreviewHost, previewLabel, previewOrigin } from "./preview.ts";

const sid = "s-0123456789abcdef";

describe("preview host names", () => {
  it.each([
    [`${sid}-80.localhost:3001`, { sessionId: sid, host: "host01", port: 80, canonical: true }],
    [`${sid}-8080.labs.example.com`, { sessionId: sid, host: "host01", port: 8080, canonical: true }],
    [`${sid}-host02-30080.localhost`, { sessionId: sid, host: "host02", port: 30080, canonical: true }],
    [`${sid}-80-host02.localhost`, { sessionId: sid, host: "host02", port: 80, canonical: false }],
    [`${sid}-80-host01.localhost`, { sessionId: sid, host: "host01", port: 80, canonical: false }],
    [`${sid}-host02-80-host01.localhost`, { sessionId: sid, host: "host02", port: 80, canonical: false }],
    [`${sid}-host01-80.localhost`, { sessionId: sid, host: "host01", port: 80, canonical: false }],
    [
      `${sid.toUpperCase().replace("S-", "s-")}-80.localhost`,
      { sessionId: sid, host: "host01", port: 80, canonical: true },
    ],
  ])("reads %s", (host, target) => {
    expect(parsePreviewHost(host)).toEqual(target);
  });

  it.each([
    undefined,
    "",
    "localhost:3000",
    "127.0.0.1:3001",
    `${sid}.localhost`,
    `${sid}-0.localhost`,
    `${sid}-65536.localhost`,
    `${sid}-99999.localhost`,
    "s-0123-80.localhost",
    `x${sid}-80.localhost`,
    `${sid}-host02-x-80.localhost`,
    `${sid}--80.localhost`,
  ])("ignores %j", (host) => {
    expect(parsePreviewHost(host)).toBeUndefined();
  });

  it("round-trips labels through the admin's template", () => {
    for (const target of [
      { sessionId: sid, host: "host01", port: 80 },
      { sessionId: sid, host: "node01", port: 6443 },
    ]) {
      const origin = previewOrigin("https://*.labs.example.com", target);
      expect(origin).toBe(`https://${previewLabel(target)}.labs.example.com`);
      expect(parsePreviewHost(origin.replace(/^https?:\/\//, ""))).toEqual({ ...target, canonical: true });
    }
  });
});
