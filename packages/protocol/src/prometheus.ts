/**
 * A reader of Prometheus' text exposition format, strict enough for tests to prove that /metrics is well formed:
 * every line is a HELP or TYPE comment or a sample, and every sample belongs to a declared family.
 */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheusText(text: string): { types: Map<string, string>; samples: PrometheusSample[] } {
  const types = new Map<string, string>();
  const samples: PrometheusSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ")) continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    // Numbers as Go's ParseFloat reads them (Prometheus' parser): NaN and Inf in any case.
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|(?:[nN][aA][nN])|[+-]?[iI][nN][fF])$/.exec(
      line,
    );
    if (!sample) throw new Error(`not a Prometheus line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[pair[1] as string] = pair[2] as string;
    }
    samples.push({ name: sample[1] as string, labels, value: Number(sample[3]) });
  }
  for (const s of samples) {
    const family = s.name.replace(/_(bucket|sum|count)$/, "");
    if (!types.has(s.name) && !types.has(family)) throw new Error(`${s.name} has no TYPE`);
  }
  return { types, samples };
}

/** The sum of the samples of `name` whose labels include `labels`. */
export const sumOf = (samples: PrometheusSample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
