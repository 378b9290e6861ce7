import { parsePrometheusText } from '../../lib/metrics/prometheus-text.ts';

/**
 * Reads Prometheus text format (GET /metrics) into samples keyed by series, labels sorted, so a
 * spec can look one up by name and labels and compare two scrapes.
 */

/** `name{a="1",b="2"}` with the labels sorted by name; `name` alone without labels. */
export function seriesKey(name: string, labels: Record<string, string | number> = {}): string {
  const pairs = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => `${key}="${value}"`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

/**
 * A scrape's samples by series, read with the product's parser (lib/metrics/prometheus-text.ts), so a
 * line the dashboard could not read fails the spec too.
 */
export class Samples {
  readonly #values: Map<string, number>;
  constructor(text: string) {
    this.#values = new Map(
      parsePrometheusText(text).map(({ name, labels, value }) => [seriesKey(name, labels), value]),
    );
  }

  /** The sample's value; 0 when the series does not exist (yet): a counter not yet incremented. */
  value(name: string, labels: Record<string, string | number> = {}): number {
    return this.#values.get(seriesKey(name, labels)) ?? 0;
  }

  has(name: string, labels: Record<string, string | number> = {}): boolean {
    return this.#values.has(seriesKey(name, labels));
  }

  /** Every series of a metric, as keys. */
  seriesOf(name: string): string[] {
    return [...this.#values.keys()].filter((key) => key === name || key.startsWith(`${name}{`));
  }
}

export async function scrape(url: string): Promise<Samples> {
  const response = await fetch(`${url}/metrics`);
  if (response.status !== 200) throw new Error(`GET ${url}/metrics answered ${response.status}`);
  return new Samples(await response.text());
}
