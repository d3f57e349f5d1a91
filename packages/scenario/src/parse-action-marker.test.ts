import { describe, expect, it } from "vitest";
import { parseActionMarker } from "./parse-action-marker.ts";

const plainExecute = { kind: "execute", terminal: 1, host: 1, interrupt: false, ctrlSeq: false, newline: true };

describe("parseActionMarker", () => {
  it("reads execute and its Killercoda short form exec as the same action", () => {
    expect(parseActionMarker("execute")).toEqual(plainExecute);
    expect(parseActionMarker("exec")).toEqual(plainExecute);
  });

  it("reads every modifier, in any order", () => {
    expect(parseActionMarker("execute T2 HOST3 interrupt")).toEqual({
      ...plainExecute,
      terminal: 2,
      host: 3,
      interrupt: true,
    });
    expect(parseActionMarker("execute interrupt HOST3 T2")).toEqual({
      ...plainExecute,
      terminal: 2,
      host: 3,
      interrupt: true,
    });
    expect(parseActionMarker("execute ctrl-seq")).toEqual({ ...plainExecute, ctrlSeq: true });
    expect(parseActionMarker("execute no-newline")).toEqual({ ...plainExecute, newline: false });
    expect(parseActionMarker("exec T4")).toEqual({ ...plainExecute, terminal: 4 });
  });

  it("ignores case and stray spaces", () => {
    expect(parseActionMarker(" execute  HOST2 ")).toEqual({ ...plainExecute, host: 2 });
    expect(parseActionMarker("EXECUTE t2 Interrupt CTRL-SEQ No-Newline")).toEqual({
      ...plainExecute,
      terminal: 2,
      interrupt: true,
      ctrlSeq: true,
      newline: false,
    });
    expect(parseActionMarker("\texec\t\tinterrupt\t")).toEqual({ ...plainExecute, interrupt: true });
  });

  it("reads copy and open in any case", () => {
    expect(parseActionMarker("Copy")).toEqual({ kind: "copy" });
    expect(parseActionMarker(" COPY ")).toEqual({ kind: "copy" });
    expect(parseActionMarker("open")).toEqual({ kind: "open" });
    expect(parseActionMarker("Open")).toEqual({ kind: "open" });
  });

  it("ignores modifiers it does not know, such as Katacoda test ids, and terminal 0", () => {
    expect(parseActionMarker("execute test-uname")).toEqual(plainExecute);
    expect(parseActionMarker("execute T0")).toEqual(plainExecute);
  });

  it("returns undefined when the first word is not an action", () => {
    expect(parseActionMarker("range .items")).toBeUndefined();
    expect(parseActionMarker(".metadata.name")).toBeUndefined();
    expect(parseActionMarker("TRAFFIC_HOST1_80")).toBeUndefined();
    expect(parseActionMarker("executes")).toBeUndefined();
    expect(parseActionMarker("T2 execute")).toBeUndefined();
    expect(parseActionMarker("")).toBeUndefined();
    expect(parseActionMarker("   ")).toBeUndefined();
  });
});
