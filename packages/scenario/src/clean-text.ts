/** Strips a byte-order mark and Windows line endings, which break bash scripts and confuse authors. */
export function cleanText(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
}
