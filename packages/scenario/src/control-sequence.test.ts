import { describe, expect, it } from "vitest";
import { controlSequence } from "./control-sequence.ts";

describe("controlSequence", () => {
  it("turns caret notation into control bytes", () => {
    expect(controlSequence("^C")).toBe("\x03");
    expect(controlSequence(" ^d ")).toBe("\x04");
    expect(controlSequence("^[")).toBe("\x1b");
    expect(controlSequence("^?")).toBe("\x7f");
    expect(controlSequence("^X^S")).toBe("\x18\x13");
  });

  it("keeps other text", () => {
    expect(controlSequence(":wq")).toBe(":wq");
    expect(controlSequence("^")).toBe("^");
  });
});
