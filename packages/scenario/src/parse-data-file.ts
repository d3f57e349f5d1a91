import { cleanText } from "./clean-text.ts";
import { type JsonScan, scanJson } from "./scan-json.ts";
import { scanYaml } from "./scan-yaml.ts";
import type { ScenarioIssue } from "./scenario-issue.ts";

/** Line and column of a field, or nothing when the field is not in the file. */
export type FieldLocation = { line: number; column: number } | Record<string, never>;

export type ParseDataFileResult =
  | { ok: true; value: unknown; at: (field: string) => FieldLocation }
  | { ok: false; error: ScenarioIssue };

/**
 * Parses a JSON file, or a YAML file when its name ends in `.yaml`/`.yml`, into a plain value. A syntax error is one
 * issue with line and column; `at` locates fields (`details.steps[1].text`) for later issues.
 */
export function parseDataFile(file: string, text: string): ParseDataFileResult {
  const clean = cleanText(text);
  const yaml = /\.ya?ml$/i.test(file);
  let scan: Pick<JsonScan, "error" | "positionOf">;
  let value: unknown;
  if (yaml) {
    const yamlScan = scanYaml(clean);
    scan = yamlScan;
    value = yamlScan.value;
  } else {
    scan = scanJson(clean);
    // scanJson only locates; once it finds no error the text is valid JSON.
    if (!scan.error) value = JSON.parse(clean);
  }
  if (scan.error) {
    const { message, line, column } = scan.error;
    const kind = yaml ? "YAML" : "JSON";
    return { ok: false, error: { file, severity: "error", message: `Invalid ${kind}: ${message}`, line, column } };
  }
  const { positionOf } = scan;
  const at = (field: string): FieldLocation => {
    const position = positionOf(field);
    return position ? { line: position.line, column: position.column } : {};
  };
  return { ok: true, value, at };
}
