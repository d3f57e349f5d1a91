import type { SandboxDriver, TerminalStream } from "@dockyard/sandbox";

/** An OSC sequence the shell prints before each prompt, with a counter: how the runner knows a command ended. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the mark is an escape sequence by design
const PROMPT_MARK = /\x1b\]7770;(\d+)\x07/g;
const SETUP = `export PROMPT_COMMAND='printf "\\033]7770;%s\\007" "$((++__dockyard_prompts))"'\r`;

/**
 * A learner's terminal driven by a script: commands are typed into a real shell (so `cd`, variables and running
 * programs carry over, as they do for a person). The shell marks each new prompt, so a command is done when the
 * prompts after it have appeared; nothing extra is typed that a program reading input could swallow.
 */
export class ScriptedTerminal {
  private output = "";
  private prompts = 0;
  private lastOutputAt = Date.now();

  private constructor(private readonly stream: TerminalStream) {
    stream.onData((chunk) => {
      const text = chunk.toString("utf8");
      for (const match of text.matchAll(PROMPT_MARK)) this.prompts = Math.max(this.prompts, Number(match[1]));
      this.output = (this.output + text).slice(-200_000);
      this.lastOutputAt = Date.now();
    });
  }

  static async open(driver: SandboxDriver, sessionId: string, host: string): Promise<ScriptedTerminal | string> {
    const stream = await driver.openTerminal({ sessionId, host, cols: 200, rows: 50 });
    if (!stream.ok) return stream.error.message;
    const terminal = new ScriptedTerminal(stream.value);
    stream.value.write(SETUP);
    await terminal.until(() => terminal.prompts >= 1, 10_000);
    return terminal;
  }

  private async until(done: () => boolean, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (done()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return done();
  }

  /** Types `text` (and Enter unless `newline` is false); resolves true when the shell is back at its prompt. */
  async type(text: string, options: { interrupt?: boolean; newline?: boolean; timeoutMs?: number } = {}) {
    if (options.interrupt) {
      const before = this.prompts;
      this.stream.write("\x03");
      await this.until(() => this.prompts > before, 2_000);
    }
    if (options.newline === false) {
      this.stream.write(text);
      await new Promise((r) => setTimeout(r, 300));
      return true;
    }
    const start = this.prompts;
    const lines = text.split("\n").length;
    this.stream.write(`${text.replace(/\n/g, "\r")}\r`);
    // Done when every line has had its prompt, or (continuation lines print none) a prompt came and all is quiet.
    return this.until(
      () => this.prompts >= start + lines || (this.prompts > start && Date.now() - this.lastOutputAt > 1_000),
      options.timeoutMs ?? 30_000,
    );
  }

  /** The most recent output, for failure reports. */
  tail(chars = 600): string {
    return this.output.slice(-chars);
  }

  dispose(): void {
    this.stream.dispose();
  }
}
