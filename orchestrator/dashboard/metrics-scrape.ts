/**
 * Reads each service's `GET /metrics` (Prometheus text, public) for the dashboard: stock levels,
 * consumer lag, dead letters and charges live in the participants' schemas, which the orchestrator may
 * not read, and in their metrics, which anyone may.
 */
import { type MetricSample, parsePrometheusText } from '../../lib/metrics/prometheus-text.ts';

/** One service whose metrics the dashboard shows (DASHBOARD_METRICS_URLS: `name=url,…`). */
export interface MetricsSource {
  service: string;
  url: string;
}

/** A scrape's outcome: the samples, or why there are none (shown as n/a with the reason). */
export type Scrape =
  | { service: string; ok: true; samples: MetricSample[] }
  | { service: string; ok: false; problem: string };

/** `name=url` entries; a problem string names the first entry that is not one. */
export function parseMetricsSources(entries: readonly string[]): MetricsSource[] | string {
  const sources: MetricsSource[] = [];
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    const service = entry.slice(0, eq).trim();
    const url = entry.slice(eq + 1).trim();
    if (eq <= 0 || !/^https?:\/\//.test(url))
      return `${JSON.stringify(entry)} is not service=http(s)://host:port/metrics`;
    sources.push({ service, url });
  }
  return sources;
}

/** The metrics of the local stack's services, on the ports `npm start` and the tests give them. */
export const localMetricsSources = (ports: Readonly<Record<string, number>>): MetricsSource[] =>
  Object.entries(ports).map(([service, port]) => ({ service, url: `http://127.0.0.1:${port}/metrics` }));

export async function scrape(source: MetricsSource, timeoutMs: number): Promise<Scrape> {
  try {
    const response = await fetch(source.url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok)
      return { service: source.service, ok: false, problem: `GET /metrics answered ${response.status}` };
    return { service: source.service, ok: true, samples: parsePrometheusText(await response.text()) };
  } catch (error) {
    return { service: source.service, ok: false, problem: (error as Error).message };
  }
}

export const scrapeAll = (sources: readonly MetricsSource[], timeoutMs: number): Promise<Scrape[]> =>
  Promise.all(sources.map((source) => scrape(source, timeoutMs)));
