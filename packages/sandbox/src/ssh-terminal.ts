import type { IDisposable, IPty } from "node-pty";
import type { TerminalStream } from "./sandbox-driver.ts";

/**
 * A terminal on a machine: the system ssh client in a pseudo-terminal of the gateway (node-pty), its own pty on the
 * machine (`ssh -tt`). Owns the ssh process: disposing hangs it up, which ends the remote shell (a tmux client
 * detaches, its session lives on).
 */
export class SshTerminal implements TerminalStream {
  /** Output listeners, dropped on dispose; the exit listener stays so that whoever listens hears the end. */
  private readonly dataListeners: IDisposable[] = [];
  private exitListeners: ((code: number | null) => void)[] = [];
  /** Known once ssh has ended: the remote shell's exit code (255: ssh's own failure), null when killed. */
  private exitCode: number | null | undefined;

  constructor(private readonly pty: IPty) {
    pty.onExit(({ exitCode, signal }) => {
      this.exitCode = signal ? null : exitCode;
      for (const listener of this.exitListeners) listener(this.exitCode);
      this.exitListeners = [];
    });
  }

  write(data: Uint8Array | string): void {
    if (this.exitCode !== undefined) return;
    this.pty.write(typeof data === "string" ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  }

  async resize(cols: number, rows: number): Promise<void> {
    // ssh passes the new size on to the machine's pty (a window-change request).
    if (this.exitCode === undefined) this.pty.resize(cols, rows);
  }

  onData(listener: (chunk: Buffer) => void): void {
    // Spawned with `encoding: null`: node-pty hands over the bytes as they came, not decoded strings.
    this.dataListeners.push(this.pty.onData((chunk) => listener(chunk as unknown as Buffer)));
  }

  pendingInput(): number {
    // node-pty queues what the pty does not take yet (EAGAIN) and exposes no count of it; read its queue.
    const queue = (this.pty as unknown as { _writeStream?: { _writeQueue?: { buffer: Buffer; offset: number }[] } })
      ._writeStream?._writeQueue;
    return (queue ?? []).reduce((n, task) => n + task.buffer.length - task.offset, 0);
  }

  /** Stops reading the pty: ssh blocks writing to it, stops reading the connection, and the machine's program blocks. */
  pause(): void {
    this.pty.pause();
  }

  resume(): void {
    this.pty.resume();
  }

  onExit(listener: (exitCode: number | null) => void): void {
    if (this.exitCode !== undefined) listener(this.exitCode);
    else this.exitListeners.push(listener);
  }

  dispose(): void {
    if (this.exitCode === undefined) {
      try {
        this.pty.kill("SIGHUP");
      } catch {
        // Gone already.
      }
    }
    for (const listener of this.dataListeners.splice(0)) listener.dispose();
  }
}
