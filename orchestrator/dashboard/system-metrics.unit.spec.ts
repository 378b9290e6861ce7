import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText } from '../../lib/metrics/prometheus-text.ts';
import { localMetricsSources, parseMetricsSources, type Scrape } from './metrics-scrape.ts';
import { systemMetricsOf } from './system-metrics.ts';

const up = (service: string, text: string): Scrape => ({
  service,
  ok: true,
  samples: parsePrometheusText(text),
});

describe('system metrics (from the services’ /metrics)', () => {
  it('reads stock, lag, dead letters, payments and sagas in flight', () => {
    const view = systemMetricsOf([
      up('orchestrator', 'sagas_in_flight 4\nkafka_consumer_lag{topic="inventory-events",partition="0"} 2'),
      up(
        'inventory',
        [
          'stock_available{sku="SKU-002"} 5',
          'stock_available{sku="SKU-001"} 7',
          'kafka_consumer_lag{topic="inventory-commands",partition="0"} 1',
          'kafka_consumer_lag{topic="inventory-commands",partition="1"} 2',
          'dead_letters_total{topic="inventory-commands",reason="undecodable"} 3',
        ].join('\n'),
      ),
      up(
        'payment',
        [
          'payments_total{kind="charge"} 10',
          'payments_total{kind="refund"} 2',
          'payment_amount_minor_total{kind="charge",currency="EUR"} 1234',
          'payment_amount_minor_total{kind="refund",currency="EUR"} 99',
        ].join('\n'),
      ),
      { service: 'shipping', ok: false, problem: 'GET /metrics answered 404' },
    ]);
    assert.deepEqual(view.stock, [
      { sku: 'SKU-001', available: 7 },
      { sku: 'SKU-002', available: 5 },
    ]);
    assert.deepEqual(view.consumerLag, [
      { service: 'orchestrator', topic: 'inventory-events', lag: 2 },
      { service: 'inventory', topic: 'inventory-commands', lag: 3 },
    ]);
    assert.deepEqual(view.deadLetters, [
      { service: 'inventory', topic: 'inventory-commands', reason: 'undecodable', count: 3 },
    ]);
    assert.deepEqual(view.payments, {
      charges: 10,
      refunds: 2,
      charged: [{ currency: 'EUR', amount: 1234 }],
    });
    assert.equal(view.sagasInFlight, 4);
    assert.deepEqual(
      view.services.map((s) => [s.service, s.up, s.consumerLag, s.deadLetters]),
      [
        ['orchestrator', true, 2, null],
        ['inventory', true, 3, 3],
        ['payment', true, null, null],
        ['shipping', false, null, null],
      ],
    );
  });

  it('is n/a (null) everywhere when no service has the metrics', () => {
    const view = systemMetricsOf([{ service: 'inventory', ok: false, problem: 'connection refused' }]);
    assert.equal(view.stock, null);
    assert.equal(view.consumerLag, null);
    assert.equal(view.deadLetters, null);
    assert.equal(view.payments, null);
    assert.equal(view.sagasInFlight, null);
  });

  it('reads DASHBOARD_METRICS_URLS entries and the local defaults', () => {
    assert.deepEqual(parseMetricsSources(['inventory=http://h:1/metrics']), [
      { service: 'inventory', url: 'http://h:1/metrics' },
    ]);
    assert.match(String(parseMetricsSources(['http://h:1/metrics'])), /is not service=http/);
    assert.match(String(parseMetricsSources(['inventory=ftp://h'])), /is not service=http/);
    assert.deepEqual(localMetricsSources({ payment: 3002 }), [
      { service: 'payment', url: 'http://127.0.0.1:3002/metrics' },
    ]);
  });
});
