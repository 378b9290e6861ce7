/**
 * The dashboard's system-health numbers, taken from the services' metrics (names fixed with the
 * services that emit them: kafka_consumer_lag, dead_letters_total, stock_available, payments_total,
 * payment_amount_minor_total). A number no scrape has is null, shown as "n/a".
 */
import { type MetricSample, samplesOf, sumOf } from '../../lib/metrics/prometheus-text.ts';
import type { Scrape } from './metrics-scrape.ts';

export interface ServiceHealth {
  service: string;
  /** The scrape answered with metrics. */
  up: boolean;
  problem: string | null;
  /** Sum over its topic-partitions; null when the metric is absent. */
  consumerLag: number | null;
  deadLetters: number | null;
  outboxBacklog: number | null;
}

export interface SystemMetrics {
  services: ServiceHealth[];
  /** Units available per SKU (inventory's stock_available); null when absent. */
  stock: Array<{ sku: string; available: number }> | null;
  /** Dead letters by service, topic and reason; null when no service has the metric. */
  deadLetters: Array<{ service: string; topic: string; reason: string; count: number }> | null;
  /** Consumer lag by service and topic; null when no service has the metric. */
  consumerLag: Array<{ service: string; topic: string; lag: number }> | null;
  payments: {
    charges: number | null;
    refunds: number | null;
    charged: Array<{ currency: string; amount: number }>;
  } | null;
  sagasInFlight: number | null;
}

const byLabels = <T>(
  samples: readonly MetricSample[],
  name: string,
  key: (s: MetricSample) => string,
  make: (s: MetricSample, value: number) => T,
): T[] => {
  const totals = new Map<string, { sample: MetricSample; value: number }>();
  for (const s of samplesOf(samples, name)) {
    const k = key(s);
    const seen = totals.get(k);
    totals.set(k, { sample: seen?.sample ?? s, value: (seen?.value ?? 0) + s.value });
  }
  return [...totals.values()].map(({ sample, value }) => make(sample, value));
};

/** Rows of every service that has the metric; null when none has it. */
function acrossServices<T>(
  scrapes: readonly Scrape[],
  name: string,
  rows: (samples: MetricSample[], service: string) => T[],
) {
  const having = scrapes.filter((s) => s.ok && samplesOf(s.samples, name).length > 0);
  return having.length === 0 ? null : having.flatMap((s) => (s.ok ? rows(s.samples, s.service) : []));
}

export function systemMetricsOf(scrapes: readonly Scrape[]): SystemMetrics {
  const of = (service: string) => {
    const found = scrapes.find((s) => s.service === service);
    return found?.ok ? found.samples : null;
  };
  const inventory = of('inventory');
  const payment = of('payment');
  const orchestrator = of('orchestrator');
  const stockSamples = inventory === null ? [] : samplesOf(inventory, 'stock_available');
  return {
    services: scrapes.map((s) => ({
      service: s.service,
      up: s.ok,
      problem: s.ok ? null : s.problem,
      consumerLag: s.ok ? sumOf(s.samples, 'kafka_consumer_lag') : null,
      deadLetters: s.ok ? sumOf(s.samples, 'dead_letters_total') : null,
      outboxBacklog: s.ok ? sumOf(s.samples, 'outbox_backlog_rows') : null,
    })),
    stock:
      stockSamples.length === 0
        ? null
        : stockSamples
            .map((s) => ({ sku: s.labels.sku ?? '', available: s.value }))
            .sort((a, b) => a.sku.localeCompare(b.sku)),
    deadLetters: acrossServices(scrapes, 'dead_letters_total', (samples, service) =>
      byLabels(
        samples,
        'dead_letters_total',
        (s) => `${s.labels.topic}|${s.labels.reason}`,
        (s, count) => ({ service, topic: s.labels.topic ?? '', reason: s.labels.reason ?? '', count }),
      ),
    ),
    consumerLag: acrossServices(scrapes, 'kafka_consumer_lag', (samples, service) =>
      byLabels(
        samples,
        'kafka_consumer_lag',
        (s) => s.labels.topic ?? '',
        (s, lag) => ({ service, topic: s.labels.topic ?? '', lag }),
      ),
    ),
    payments:
      payment === null
        ? null
        : {
            charges: sumOf(payment, 'payments_total', { kind: 'charge' }),
            refunds: sumOf(payment, 'payments_total', { kind: 'refund' }),
            charged: byLabels(
              samplesOf(payment, 'payment_amount_minor_total', { kind: 'charge' }),
              'payment_amount_minor_total',
              (s) => s.labels.currency ?? '',
              (s, amount) => ({ currency: s.labels.currency ?? '', amount }),
            ),
          },
    sagasInFlight: orchestrator === null ? null : sumOf(orchestrator, 'sagas_in_flight'),
  };
}
