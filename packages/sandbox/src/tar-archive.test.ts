import { describe, expect, it } from "vitest";
import { tarArchive } from "./tar-archive.ts";

const text = (block: Buffer, offset: number, length: number) =>
  block
    .subarray(offset, offset + length)
    .toString("utf8")
    .replace(/\0.*$/s, "");

describe("tarArchive", () => {
  it("writes ustar file entries with mode, size and a valid checksum, and no directory entries", () => {
    const archive = tarArchive([{ path: "/root/deep/run.sh", content: Buffer.from("echo hi\n"), mode: 0o755 }]);
    const header = archive.subarray(0, 512);
    expect(text(header, 0, 100)).toBe("root/deep/run.sh");
    expect(text(header, 100, 8)).toBe("0000755");
    expect(Number.parseInt(text(header, 124, 12), 8)).toBe(8);
    expect(text(header, 156, 1)).toBe("0");
    expect(text(header, 257, 6)).toBe("ustar");
    const stored = Number.parseInt(text(header, 148, 8).trim(), 8);
    const blank = Buffer.from(header);
    blank.fill(" ", 148, 156);
    expect(blank.reduce((sum, byte) => sum + byte, 0)).toBe(stored);
    expect(archive.subarray(512, 520).toString()).toBe("echo hi\n");
    // One header, one data block, two zero blocks.
    expect(archive.length).toBe(512 * 4);
  });

  it("splits long paths into prefix and name, and refuses ones that do not fit", () => {
    const long = `/opt/${"a".repeat(120)}/file.txt`;
    const header = tarArchive([{ path: long, content: Buffer.alloc(0) }]).subarray(0, 512);
    expect(text(header, 345, 155)).toBe(`opt/${"a".repeat(120)}`);
    expect(text(header, 0, 100)).toBe("file.txt");
    expect(() => tarArchive([{ path: `/${"é".repeat(100)}/x`, content: Buffer.alloc(0) }])).toThrow(/too long/);
  });
});
