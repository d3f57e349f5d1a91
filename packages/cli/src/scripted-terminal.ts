import type { SandboxDriver, TerminalStream } from "@dockyard/sandbox";

/**
 * A learner's terminal driven by a script: commands are typed into a real shell (so `cd`, variables and running
 * programs carry over, as they do for a person), and a marker printed after each tells when it finished.
 */
export class ScriptedTerminal {
  private output = "";
  private counter = 0;

  private constructor(private readonly stream: TerminalStream) {
    stream.onData((chunk) => {
      this.output = (this.output + chunk.toString("utf8")).slice(-200_000);
    });
  }

  static async open(driver: SandboxDriver, sessionId: string, host: string): Promise<ScriptedTerminal | string> {
    const stream = await driver.openTerminal({ sessionId, host, cols: 200, rows: 50 });
    return stream.ok ? new ScriptedTerminal(stream.value) : stream.error.message;
  }

  /** Types `text` (and Enter unless `newline` is false); resolves true when the shell is back at its prompt. */
  async type(text: string, options: { interrupt?: boolean; newline?: boolean; timeoutMs?: number } = {}) {
    if (options.interrupt) this.stream.write("\x03");
    if (options.newline === false) {
      this.stream.write(text);
      await new Promise((r) => setTimeout(r, 300));
      return true;
    }
    const marker = `DYDONE${++this.counter}x${Date.now().toString(36)}`;
    const half = Math.floor(marker.length / 2);
    this.stream.write(`${text}\r`);
    // The echoed command line shows the marker in two halves; only printf's output joins them.
    this.stream.write(`printf '%s%s\\n' ${marker.slice(0, half)} ${marker.slice(half)}\r`);
    const until = Date.now() + (options.timeoutMs ?? 30_000);
    while (Date.now() < until) {
      if (this.output.includes(marker)) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  }

  /** The most recent output, for failure reports. */
  tail(chars = 600): string {
    return this.output.slice(-chars);
  }

  dispose(): void {
    this.stream.dispose();
  }
}
