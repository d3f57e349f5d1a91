/**
 * Output kept until the client acknowledges it. Small chunks are merged (a program writing a byte at a time makes
 * one-byte reads, and a window of them as separate Buffers would cost hundreds of MiB), and dropping from the front
 * moves an index instead of shifting an array, so a large acknowledgement costs time in proportion to the chunks it
 * frees, not their square.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  private total = 0;
  /** Chunks below this size are appended to the last one instead of kept apart. */
  constructor(private readonly mergeBelow = 16 * 1024) {}

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const last = this.chunks.length > this.head ? this.chunks[this.chunks.length - 1] : undefined;
    if (last && last.length + chunk.length <= this.mergeBelow) {
      this.chunks[this.chunks.length - 1] = Buffer.concat([last, chunk]);
      return;
    }
    this.chunks.push(chunk);
  }

  /** Forgets the first `bytes` bytes (or everything, if fewer are held). */
  drop(bytes: number): void {
    let left = Math.min(bytes, this.total);
    this.total -= left;
    while (left > 0) {
      const first = this.chunks[this.head] as Buffer;
      if (first.length <= left) {
        left -= first.length;
        this.head += 1;
      } else {
        this.chunks[this.head] = first.subarray(left);
        left = 0;
      }
    }
    // Compact now and then, so the array does not grow without end.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The held bytes, in order, as chunks. */
  *[Symbol.iterator](): IterableIterator<Buffer> {
    for (let i = this.head; i < this.chunks.length; i++) yield this.chunks[i] as Buffer;
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.total = 0;
  }
}
