/**
 * A reader of the Prometheus text exposition format (what `GET /metrics` answers, version 0.0.4):
 * the samples, each with its metric name, labels and value. Comments (# HELP, # TYPE) and blank lines
 * are skipped; a histogram comes as its `_bucket`, `_sum` and `_count` samples, as written.
 */

export interface MetricSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
}

export class PrometheusTextError extends Error {
  constructor(lineNumber: number, line: string, problem: string) {
    super(`metrics text, line ${lineNumber}: ${problem}: ${JSON.stringify(line.slice(0, 200))}`);
    this.name = 'PrometheusTextError';
  }
}

const namePattern = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const labelNamePattern = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * A sample's value. The special values are read as Prometheus reads them (Go's ParseFloat): without
 * regard to case — prom-client itself writes `Nan` (e.g. the event loop's lag before its first sample).
 */
function parseValue(text: string): number {
  switch (text.toLowerCase()) {
    case '+inf':
    case 'inf':
      return Number.POSITIVE_INFINITY;
    case '-inf':
      return Number.NEGATIVE_INFINITY;
    case 'nan':
      return Number.NaN;
    default:
      return text.trim() === '' ? Number.NaN : Number(text);
  }
}

/** Reads `{a="x",b="y"}` from `line` at `start` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, start: number, fail: (problem: string) => never) {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return { labels, end: i + 1 };
    const name = labelNamePattern.exec(line.slice(i))?.[0];
    if (name === undefined) fail('a label name was expected');
    i += name.length;
    while (line[i] === ' ') i++;
    if (line[i] !== '=' || line[i + 1] !== '"') fail(`label ${name} has no ="value"`);
    i += 2;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) fail(`the value of label ${name} is not closed`);
      if (c === '"') break;
      if (c === '\\') {
        const next = line[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    labels[name] = value;
    i++;
  }
}

/** Every sample of a metrics text, in order. Throws PrometheusTextError naming the line it cannot read. */
export function parsePrometheusText(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fail = (problem: string): never => {
      throw new PrometheusTextError(index + 1, raw, problem);
    };
    const name = namePattern.exec(line)?.[0];
    if (name === undefined) fail('a metric name was expected');
    let rest = line.slice((name as string).length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest, 0, fail);
      labels = parsed.labels;
      rest = rest.slice(parsed.end);
    }
    // The value, then an optional timestamp (ignored).
    const [valueText = ''] = rest.trim().split(/\s+/);
    const value = parseValue(valueText);
    if (Number.isNaN(value) && valueText.toLowerCase() !== 'nan')
      fail(`the value ${JSON.stringify(valueText)} is not a number`);
    samples.push({ name: name as string, labels, value });
  });
  return samples;
}

/** The samples of one metric whose labels include `match`. */
export const samplesOf = (
  samples: readonly MetricSample[],
  name: string,
  match: Readonly<Record<string, string>> = {},
): MetricSample[] =>
  samples.filter(
    (s) => s.name === name && Object.entries(match).every(([label, value]) => s.labels[label] === value),
  );

/** The sum of a metric's matching samples; null when it has none (absent: shown as n/a). */
export function sumOf(
  samples: readonly MetricSample[],
  name: string,
  match: Readonly<Record<string, string>> = {},
): number | null {
  const matching = samplesOf(samples, name, match);
  return matching.length === 0 ? null : matching.reduce((total, s) => total + s.value, 0);
}
