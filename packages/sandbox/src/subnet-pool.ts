/**
 * Hands out small subnets for session networks from one large range. Docker's own default pools hold about 30
 * networks, which a single workshop outgrows; Dockyard gives each session a /27 (30 addresses, enough for 8 hosts)
 * of its own range instead: 2048 sessions in a /16.
 */
export class SubnetPool {
  private readonly base: number;
  private readonly count: number;
  private readonly size: number;
  private readonly prefix: number;
  private readonly taken = new Set<number>();

  constructor(range: string, prefix = 27) {
    const [address = "", bits = ""] = range.split("/");
    const rangeBits = Number(bits);
    const base = toNumber(address);
    if (base === undefined || !Number.isInteger(rangeBits) || rangeBits < 8 || rangeBits > prefix) {
      throw new Error(`Bad subnet range ${range}: give a CIDR of /8 to /${prefix}, such as 10.213.0.0/16.`);
    }
    this.size = 2 ** (32 - prefix);
    this.base = base - (base % 2 ** (32 - rangeBits));
    this.count = 2 ** (prefix - rangeBits);
    this.prefix = prefix;
  }

  /** Marks subnets in use (by anything on the engine: they may overlap the range). */
  markUsed(cidrs: string[]): void {
    for (const cidr of cidrs) {
      const [address = "", bits = ""] = cidr.split("/");
      const start = toNumber(address);
      const length = 2 ** (32 - Number(bits));
      if (start === undefined || !Number.isFinite(length)) continue;
      for (let i = 0; i < this.count; i++) {
        const from = this.base + i * this.size;
        if (from < start + length && start < from + this.size) this.taken.add(i);
      }
    }
  }

  /** A free subnet, now taken; undefined when the range is full. */
  take(): string | undefined {
    for (let i = 0; i < this.count; i++) {
      if (this.taken.has(i)) continue;
      this.taken.add(i);
      return `${toAddress(this.base + i * this.size)}/${this.prefix}`;
    }
    return undefined;
  }

  release(cidr: string): void {
    const start = toNumber(cidr.split("/")[0] ?? "");
    if (start === undefined) return;
    this.taken.delete((start - this.base) / this.size);
  }
}

function toNumber(address: string): number | undefined {
  const parts = address.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

const toAddress = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
