import { spawn } from "node:child_process";
import type { SshMachine } from "./ssh-pools.ts";

/** How the gateway reaches one machine: the machine, and the host keys it is checked against. */
export interface SshTarget {
  machine: SshMachine;
  /** The known_hosts file that vouches for the machine (the gateway's own, with pinned keys, or the admin's). */
  knownHostsFile: string;
  /** Set when the key is pinned: the name it is filed under in the gateway's known_hosts file. */
  hostKeyAlias?: string;
  connectTimeoutSeconds: number;
}

/**
 * What ssh and the admin's reset command run with: no variable of the gateway's own (its secret, its database URL)
 * reaches them, nor an ssh agent.
 */
export const CHILD_ENV = {
  PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
  LANG: "C.UTF-8",
};

/** One word for a POSIX shell, whatever it holds. */
export const shellQuote = (text: string) => `'${text.replace(/\0/g, "").replace(/'/g, `'\\''`)}'`;

/**
 * Arguments for the system ssh client: no config files, keys only, the host key checked against `knownHostsFile`
 * (never trusted on first use), a bounded connect, a connection that notices a silent peer within 30 s, and no
 * forwarding of anything. `remote` is one command line for the remote user's shell.
 */
export function sshArgs(target: SshTarget, remote: string, options: { tty: boolean }): string[] {
  const { machine } = target;
  return [
    "-F",
    "/dev/null",
    "-o",
    "BatchMode=yes",
    "-o",
    "IdentitiesOnly=yes",
    "-o",
    "IdentityAgent=none",
    "-i",
    machine.keyFile,
    "-o",
    "StrictHostKeyChecking=yes",
    "-o",
    // Quoted: ssh reads this option as a list of files separated by spaces.
    `UserKnownHostsFile="${target.knownHostsFile}"`,
    "-o",
    "GlobalKnownHostsFile=/dev/null",
    "-o",
    "UpdateHostKeys=no",
    ...(target.hostKeyAlias ? ["-o", `HostKeyAlias=${target.hostKeyAlias}`, "-o", "CheckHostIP=no"] : []),
    "-o",
    `ConnectTimeout=${target.connectTimeoutSeconds}`,
    "-o",
    "ServerAliveInterval=10",
    "-o",
    "ServerAliveCountMax=3",
    "-o",
    "ForwardAgent=no",
    "-o",
    "ForwardX11=no",
    "-o",
    "ClearAllForwardings=yes",
    "-o",
    "PermitLocalCommand=no",
    "-o",
    "LogLevel=ERROR",
    "-p",
    String(machine.port),
    "-l",
    machine.user,
    options.tty ? "-tt" : "-T",
    "--",
    machine.address,
    remote,
  ];
}

/** The first `limit` bytes of a stream, and its last `tailSize` bytes (where a trailer after the output sits). */
export class OutputCapture {
  private readonly head: Buffer[] = [];
  private headSize = 0;
  private tail = Buffer.alloc(0);
  total = 0;

  constructor(
    private readonly limit: number,
    private readonly tailSize = 0,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    if (this.headSize < this.limit) {
      const part = chunk.subarray(0, this.limit - this.headSize);
      this.head.push(part);
      this.headSize += part.length;
    }
    if (this.tailSize > 0) {
      this.tail = Buffer.concat([this.tail, chunk.subarray(-this.tailSize)]);
      if (this.tail.length > this.tailSize) this.tail = this.tail.subarray(-this.tailSize);
    }
  }

  headBytes(): Buffer {
    return Buffer.concat(this.head);
  }

  tailBytes(): Buffer {
    return this.tail;
  }
}

export interface ProcessRun {
  /** null when it was killed (deadline) or never started. */
  exitCode: number | null;
  stdout: OutputCapture;
  stderr: OutputCapture;
  deadlineHit: boolean;
  /** Set when the program could not be started at all. */
  spawnError?: string;
}

/**
 * Runs a program with `input` on its stdin, to its end or `deadlineMs` (then it and its process group are killed),
 * collecting its output. Never rejects.
 */
export function runProcess(
  command: string,
  args: string[],
  options: {
    input?: Buffer | string;
    deadlineMs: number;
    /** Ends it early, like the deadline. */
    signal?: AbortSignal;
    env?: Record<string, string>;
    outputLimit: number;
    tail?: number;
  },
): Promise<ProcessRun> {
  const stdout = new OutputCapture(options.outputLimit, options.tail ?? 0);
  const stderr = new OutputCapture(options.outputLimit, options.tail ?? 0);
  if (options.signal?.aborted) {
    return Promise.resolve({ exitCode: null, stdout, stderr, deadlineHit: true });
  }
  return new Promise((resolve) => {
    // Its own process group, so the deadline takes what it started too (an admin's reset script and its children).
    const child = spawn(command, args, { env: options.env ?? CHILD_ENV, detached: true, stdio: "pipe" });
    let deadlineHit = false;
    let spawnError: string | undefined;
    const timer = setTimeout(() => {
      deadlineHit = true;
      kill();
    }, options.deadlineMs);
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const onAbort = () => {
      deadlineHit = true;
      kill();
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    // A program that exits without reading all its input is no error of ours.
    child.stdin.on("error", () => undefined);
    child.on("error", (error) => {
      spawnError = error.message;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve({
        exitCode: deadlineHit ? null : code,
        stdout,
        stderr,
        deadlineHit,
        ...(spawnError ? { spawnError } : {}),
      });
    });
    child.stdin.end(options.input ?? "");
  });
}
