/**
 * docs/observability.md lists exactly the metrics the services register (besides prom-client's
 * default process metrics), and the Grafana dashboard queries only metrics that exist.
 *   node --import tsx --test test/observability-doc.unit.spec.ts
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fastify } from 'fastify';
import { createConsumerMetrics } from '../lib/metrics/consumer-metrics.ts';
import { instrumentHttp } from '../lib/metrics/http-metrics.ts';
import { createOutboxMetrics } from '../lib/metrics/outbox-metrics.ts';
import {
  createParticipantMetrics,
  createPaymentMetrics,
  registerStockGauge,
} from '../lib/metrics/participant-metrics.ts';
import { createMetricsRegistry, type Registry } from '../lib/metrics/registry.ts';
import { createSagaMetrics } from '../lib/metrics/saga-metrics.ts';
import { createNotificationMetrics } from '../participants/notifications/notification-metrics.ts';

const namesOf = (registry: Registry): string[] => registry.getMetricsAsArray().map((m) => m.name);

/** What each service registers, as runService and the entry points do. */
function serviceRegistries(): Record<string, Registry> {
  const common = (): Registry => {
    const registry = createMetricsRegistry();
    createConsumerMetrics(registry);
    createOutboxMetrics(registry, async () => 0);
    instrumentHttp(fastify(), registry);
    return registry;
  };
  const orchestrator = common();
  createSagaMetrics(orchestrator, { readSagasInFlight: async () => 0 });
  const inventory = common();
  createParticipantMetrics(inventory);
  registerStockGauge(inventory, async () => []);
  const payment = common();
  createParticipantMetrics(payment);
  createPaymentMetrics(payment);
  const shipping = common();
  createParticipantMetrics(shipping);
  const notifications = common();
  createNotificationMetrics(notifications);
  return { orchestrator, inventory, payment, shipping, notifications };
}

const defaultNames = new Set(namesOf(createMetricsRegistry()));
const registered = new Set(Object.values(serviceRegistries()).flatMap((r) => namesOf(r)));
const ours = [...registered].filter((name) => !defaultNames.has(name)).sort();

const doc = readFileSync(new URL('../docs/observability.md', import.meta.url), 'utf8');

test('docs/observability.md lists exactly the metrics the services register', () => {
  const documented = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1] ?? '').sort();
  assert.deepEqual(documented, ours);
});

test('the default process metrics the page names exist', () => {
  for (const name of [
    'process_cpu_seconds_total',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_seconds',
  ])
    assert.ok(defaultNames.has(name), name);
});

test('the Grafana dashboard queries only metrics the services register', () => {
  const dashboard = JSON.parse(
    readFileSync(new URL('../infra/grafana/dashboards/order-saga.json', import.meta.url), 'utf8'),
  ) as { panels: { title: string; targets: { expr: string }[] }[] };
  const functions = new Set(['sum', 'by', 'rate', 'increase', 'histogram_quantile', 'le']);
  const labels = /\b(job|topic|reason|outcome|command|kind|currency|sku|method|route)\b/;
  let queried = 0;
  for (const panel of dashboard.panels) {
    assert.ok(panel.targets.length > 0, `${panel.title} has a query`);
    for (const { expr } of panel.targets) {
      // Range selectors ([1m]) and numbers hold no names.
      const identifiers = (expr.replace(/\[[^\]]*\]/g, '').match(/[a-z_][a-z0-9_]*/g) ?? []).filter(
        (word) => !functions.has(word) && !labels.test(word) && !/^\d/.test(word),
      );
      for (const word of identifiers) {
        const metric = word.replace(/_(bucket|sum|count)$/, '');
        assert.ok(registered.has(metric), `${panel.title}: ${word} is not a registered metric`);
        queried += 1;
      }
    }
  }
  assert.ok(queried >= 15);
});
