/** Reads a stream of newline-delimited JSON, calling `onValue` for each line; stops early when it returns true. */
export async function readNdjson(
  stream: ReadableStream<Uint8Array>,
  onValue: (value: unknown) => boolean | undefined | Promise<boolean | undefined>,
): Promise<void> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      const lines = buffered.split("\n");
      buffered = done ? "" : (lines.pop() ?? "");
      for (const line of lines) {
        if (!line.trim()) continue;
        let parsed: unknown;
        try {
          parsed = JSON.parse(line);
        } catch {
          continue;
        }
        if (await onValue(parsed)) return;
      }
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}
