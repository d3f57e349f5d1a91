import { describe, expect, it } from "vitest";
import { ByteQueue } from "./byte-queue.ts";

const text = (q: ByteQueue) => Buffer.concat([...q]).toString();

describe("ByteQueue", () => {
  it("keeps bytes in order and drops from the front, across chunk boundaries", () => {
    const q = new ByteQueue(4);
    for (const part of ["ab", "cd", "efgh", "ij"]) q.push(Buffer.from(part));
    expect(text(q)).toBe("abcdefghij");
    q.drop(3);
    expect(text(q)).toBe("defghij");
    expect(q.length).toBe(7);
    q.drop(100);
    expect(q.length).toBe(0);
    expect(text(q)).toBe("");
  });

  it("holds a window of one-byte chunks in few buffers", () => {
    const q = new ByteQueue();
    const window = 512 * 1024;
    for (let i = 0; i < window; i++) q.push(Buffer.from([97 + (i % 26)]));
    expect([...q].length).toBeLessThanOrEqual(Math.ceil(window / (16 * 1024)) + 1);
    for (let i = 0; i < window; i += 1000) q.drop(1000);
    expect(q.length).toBe(0);
  });
});
