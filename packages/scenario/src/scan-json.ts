import { formatFieldPath } from "./format-field-path.ts";

/** A position in a text: 0-based offset, 1-based line and column. */
export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

export interface JsonScan {
  /** The first syntax error, if any. */
  error?: TextPosition & { message: string };
  /** Where each field starts (the key for object members, the value for array items), by `formatFieldPath`. */
  positionOf: (field: string) => TextPosition | undefined;
}

const MAX_DEPTH = 256;

/** Internal control flow of the scanner only; `scanJson` returns errors as values. */
class JsonSyntax extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/**
 * Walks JSON text to locate syntax errors and fields, independent of the engine's `JSON.parse` messages.
 * Does not build values: parse with `JSON.parse` and use this only for positions.
 */
export function scanJson(text: string): JsonScan {
  const starts = new Map<string, number>();
  let pos = 0;

  const describe = (at: number) => (at >= text.length ? "the end of the file" : `"${text[at]}"`);
  const fail = (message: string, at = pos): never => {
    throw new JsonSyntax(message, at);
  };

  const skipWhitespace = () => {
    while (pos < text.length && " \t\n\r".includes(text.charAt(pos))) pos++;
  };

  const expectWord = (word: string) => {
    if (text.startsWith(word, pos)) pos += word.length;
    else fail(`Unexpected ${describe(pos)}: expected a value`);
  };

  const scanString = () => {
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail("Unterminated string");
      const ch = text.charCodeAt(pos);
      if (ch === 0x22) {
        pos++;
        return;
      }
      if (ch < 0x20) fail("Line break or control character inside a string");
      if (ch === 0x5c) {
        const next = text.charAt(pos + 1);
        if ('"\\/bfnrt'.includes(next) && next !== "") pos += 2;
        else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) pos += 6;
        else fail("Invalid escape sequence in a string");
      } else pos++;
    }
  };

  const scanNumber = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(pos, pos + 400));
    if (!match || match[0] === "" || match[0] === "-") fail(`Unexpected ${describe(pos)}: expected a value`);
    pos += match?.[0].length ?? 0;
  };

  const scanValue = (path: PropertyKey[]): void => {
    if (path.length > MAX_DEPTH) fail("Nesting too deep");
    skipWhitespace();
    const ch = text.charAt(pos);
    if (ch === "{") scanObject(path);
    else if (ch === "[") scanArray(path);
    else if (ch === '"') scanString();
    else if (ch === "t") expectWord("true");
    else if (ch === "f") expectWord("false");
    else if (ch === "n") expectWord("null");
    else if (ch === "-" || (ch >= "0" && ch <= "9")) scanNumber();
    else fail(`Unexpected ${describe(pos)}: expected a value`);
  };

  const scanObject = (path: PropertyKey[]) => {
    pos++;
    skipWhitespace();
    if (text.charAt(pos) === "}") {
      pos++;
      return;
    }
    for (;;) {
      skipWhitespace();
      if (text.charAt(pos) !== '"') fail(`Unexpected ${describe(pos)}: expected a property name in double quotes`);
      const keyStart = pos;
      scanString();
      const key = JSON.parse(text.slice(keyStart, pos)) as string;
      const field = formatFieldPath([...path, key]);
      if (!starts.has(field)) starts.set(field, keyStart);
      skipWhitespace();
      if (text.charAt(pos) !== ":") fail(`Unexpected ${describe(pos)}: expected ":" after the property name`);
      pos++;
      scanValue([...path, key]);
      skipWhitespace();
      const next = text.charAt(pos);
      if (next === "}") {
        pos++;
        return;
      }
      if (next !== ",") fail(`Unexpected ${describe(pos)}: expected "," or "}"`);
      const comma = pos;
      pos++;
      skipWhitespace();
      if (text.charAt(pos) === "}") fail('Trailing comma before "}"', comma);
    }
  };

  const scanArray = (path: PropertyKey[]) => {
    pos++;
    skipWhitespace();
    if (text.charAt(pos) === "]") {
      pos++;
      return;
    }
    for (let index = 0; ; index++) {
      skipWhitespace();
      starts.set(formatFieldPath([...path, index]), pos);
      scanValue([...path, index]);
      skipWhitespace();
      const next = text.charAt(pos);
      if (next === "]") {
        pos++;
        return;
      }
      if (next !== ",") fail(`Unexpected ${describe(pos)}: expected "," or "]"`);
      const comma = pos;
      pos++;
      skipWhitespace();
      if (text.charAt(pos) === "]") fail('Trailing comma before "]"', comma);
    }
  };

  const toPosition = (offset: number): TextPosition => {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < text.length; i++) {
      if (text.charCodeAt(i) === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    return { offset, line, column: offset - lineStart + 1 };
  };

  const positionOf = (field: string) => {
    const offset = starts.get(field);
    return offset === undefined ? undefined : toPosition(offset);
  };

  try {
    scanValue([]);
    skipWhitespace();
    if (pos < text.length) fail(`Unexpected ${describe(pos)} after the end of the JSON value`);
    return { positionOf };
  } catch (caught) {
    if (!(caught instanceof JsonSyntax)) throw caught;
    return { error: { message: caught.message, ...toPosition(caught.at) }, positionOf };
  }
}
