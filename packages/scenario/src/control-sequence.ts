/** `^C` style notation to the control bytes it names (Katacoda's `ctrl-seq` actions); other text is kept. */
export function controlSequence(text: string): string {
  return text
    .trim()
    .replace(/\^([@A-Za-z[\\\]^_?])/g, (_, key: string) =>
      key === "?" ? "\x7f" : String.fromCharCode(key.toUpperCase().charCodeAt(0) - 64),
    );
}
