import { describe, expect, it } from "vitest";
import { jsonLogger } from "./log.ts";

describe("jsonLogger", () => {
  it("writes one JSON object per line with time, level, service, message and fields; errors keep their stack", () => {
    const lines: [string, string][] = [];
    const log = jsonLogger("test", (level, line) => lines.push([level, line]));
    log("info", "started", { port: 3000 });
    log("error", "failed", { error: new Error("boom\nsecond line") });
    expect(lines).toHaveLength(2);
    const [first, second] = lines.map(([, line]) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ level: "info", service: "test", msg: "started", port: 3000 });
    expect(Date.parse(first?.time as string)).not.toBeNaN();
    expect(second?.error).toMatchObject({ message: "boom\nsecond line" });
    expect((second?.error as { stack?: string } | undefined)?.stack).toContain("Error: boom");
    // A message with a newline stays on one line.
    expect(lines[1]?.[1]).not.toContain("\n");
  });
});
