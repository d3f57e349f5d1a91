import { isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { formatFieldPath } from "./format-field-path.ts";
import type { TextPosition } from "./scan-json.ts";

export interface YamlScan {
  /** The first syntax error, if any; `value` is then undefined. */
  error?: TextPosition & { message: string };
  value?: unknown;
  /** Where each field starts (the key for mapping entries, the item for sequence items), by `formatFieldPath`. */
  positionOf: (field: string) => TextPosition | undefined;
}

/** Aliases expand on conversion: cap them so a small file cannot expand into a huge value. */
const MAX_ALIAS_COUNT = 100;

/** Parses one YAML document (YAML 1.2 core schema) into a plain value, with positions of its fields. */
export function scanYaml(text: string): YamlScan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const toPosition = (offset: number): TextPosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { offset, line, column: col };
  };

  const starts = new Map<string, number>();
  const visit = (node: unknown, path: PropertyKey[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const next = [...path, String(pair.key.value)];
        const field = formatFieldPath(next);
        if (pair.key.range && !starts.has(field)) starts.set(field, pair.key.range[0]);
        visit(pair.value, next);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        const next = [...path, index];
        const range = (item as { range?: [number, number, number] } | null)?.range;
        if (range) starts.set(formatFieldPath(next), range[0]);
        visit(item, next);
      });
    }
  };

  const positionOf = (field: string) => {
    const offset = starts.get(field);
    return offset === undefined ? undefined : toPosition(offset);
  };

  const [first] = doc.errors;
  if (first) return { error: { message: first.message, ...toPosition(first.pos[0]) }, positionOf };
  try {
    visit(doc.contents, []);
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), positionOf };
  } catch (caught) {
    // toJS throws when aliases expand too much: a property of the file, so an issue.
    const message = caught instanceof Error ? caught.message : String(caught);
    return { error: { message, ...toPosition(0) }, positionOf };
  }
}
