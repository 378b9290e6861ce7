import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fastify } from 'fastify';
import { createConsumerMetrics } from './consumer-metrics.ts';
import { serveMetrics, unmatchedRoute } from './http-metrics.ts';
import { ChildrenBy2 } from './label-children.ts';
import { createOutboxMetrics } from './outbox-metrics.ts';
import { commandOutcomeOf, createPaymentMetrics, registerStockGauge } from './participant-metrics.ts';
import { createMetricsRegistry, type Registry } from './registry.ts';
import { createSagaMetrics } from './saga-metrics.ts';

/** The value of one sample of the registry's text output, e.g. `dead_letters_total{topic="t",reason="r"}`. */
async function sample(registry: Registry, series: string): Promise<number | undefined> {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', () => {
  test('a label child is made once per combination and kept', () => {
    let made = 0;
    const children = new ChildrenBy2((a, b) => ({ a, b, n: ++made }));
    const first = children.of('x', 200);
    assert.equal(children.of('x', 200), first);
    assert.notEqual(children.of('x', 404), first);
    assert.equal(made, 2);
  });

  test("a command's outcome comes from its reply; one that changed nothing is a duplicate", () => {
    assert.equal(commandOutcomeOf('StockReserved', true), 'reserved');
    assert.equal(commandOutcomeOf('PaymentFailed', true), 'declined');
    assert.equal(commandOutcomeOf('ShippingCancelled', true), 'cancelled');
    assert.equal(commandOutcomeOf('StockReserved', false), 'duplicate');
  });

  test('consumer lag per partition, dead letters by source topic and reason', async () => {
    const registry = createMetricsRegistry();
    const consumer = createConsumerMetrics(registry);
    consumer.batchHandled('inventory-commands', 2, 7);
    consumer.batchHandled('inventory-commands', 2, 0);
    consumer.deadLettered('inventory-commands', 'handler_failed', 1);
    consumer.deadLettered('inventory-commands', 'handler_failed', 2);
    assert.equal(await sample(registry, 'kafka_consumer_lag{topic="inventory-commands",partition="2"}'), 0);
    assert.equal(
      await sample(registry, 'dead_letters_total{topic="inventory-commands",reason="handler_failed"}'),
      3,
    );
  });

  test('outbox backlog is read when scraped; publish latency from the oldest row of a request', async () => {
    const registry = createMetricsRegistry();
    let rows = 12;
    const outbox = createOutboxMetrics(registry, async () => {
      if (rows < 0) throw new Error('database down');
      return rows;
    });
    assert.equal(await sample(registry, 'outbox_backlog_rows'), 12);
    rows = 3;
    assert.equal(await sample(registry, 'outbox_backlog_rows'), 3);
    rows = -1;
    assert.ok(
      Number.isNaN(await sample(registry, 'outbox_backlog_rows')),
      'unreadable: NaN, the scrape answers',
    );
    const row = (occurredAt: string) => ({
      seq: 1,
      topic: 't',
      message_key: 'k',
      payload: Buffer.alloc(0),
      headers: { 'occurred-at': occurredAt },
    });
    const committed = Date.parse('2026-12-07T08:00:00.000Z');
    outbox.published([row('2026-12-07T08:00:00.000Z'), row('2026-12-07T08:00:00.900Z')], committed + 40);
    assert.equal(await sample(registry, 'outbox_publish_seconds_count'), 1);
    assert.equal(await sample(registry, 'outbox_publish_seconds_sum'), 0.04);
    assert.equal(await sample(registry, 'outbox_publish_seconds_bucket{le="0.05"}'), 1);
    assert.equal(await sample(registry, 'outbox_publish_seconds_bucket{le="0.025"}'), 0);
  });

  test('sagas in flight are read when scraped; admission refusals follow the admission count', async () => {
    const registry = createMetricsRegistry();
    const sagas = createSagaMetrics(registry, { readSagasInFlight: async () => 42 });
    let refused = 0;
    sagas.countRefusalsOf(() => refused);
    refused = 5;
    assert.equal(await sample(registry, 'sagas_in_flight'), 42);
    assert.equal(await sample(registry, 'saga_admission_refusals_total'), 5);
    refused = 7;
    assert.equal(await sample(registry, 'saga_admission_refusals_total'), 7);
    sagas.finished('cancelled', 'payment_declined', 1.5);
    sagas.finished('completed', '', Number.NaN);
    assert.equal(
      await sample(registry, 'saga_finished_total{outcome="cancelled",reason="payment_declined"}'),
      1,
    );
    assert.equal(await sample(registry, 'saga_finished_total{outcome="completed",reason=""}'), 1);
    assert.equal(await sample(registry, 'saga_duration_seconds_count{outcome="cancelled"}'), 1);
    assert.equal(await sample(registry, 'saga_duration_seconds_count{outcome="completed"}'), undefined);
  });

  test('stock per SKU as the table has it when scraped; payments by kind and currency', async () => {
    const registry = createMetricsRegistry();
    let stock = [
      { sku: 'SKU-001', available: 10 },
      { sku: 'SKU-002', available: 0 },
    ];
    registerStockGauge(registry, async () => stock);
    assert.equal(await sample(registry, 'stock_available{sku="SKU-001"}'), 10);
    stock = [{ sku: 'SKU-001', available: 8 }];
    assert.equal(await sample(registry, 'stock_available{sku="SKU-001"}'), 8);
    assert.equal(await sample(registry, 'stock_available{sku="SKU-002"}'), undefined, 'gone from the table');
    const payments = createPaymentMetrics(registry);
    payments.recorded('charge', 3998, 'EUR');
    payments.recorded('charge', 2, 'EUR');
    payments.recorded('refund', 3998, 'EUR');
    assert.equal(await sample(registry, 'payments_total{kind="charge"}'), 2);
    assert.equal(await sample(registry, 'payment_amount_minor_total{kind="charge",currency="EUR"}'), 4000);
    assert.equal(await sample(registry, 'payment_amount_minor_total{kind="refund",currency="EUR"}'), 3998);
  });

  test('GET /metrics is Prometheus text; requests are counted by route pattern, method and status', async () => {
    const app = fastify();
    const registry = createMetricsRegistry();
    app.get('/orders/:id', async () => ({ ok: true }));
    serveMetrics(app, registry);
    await app.inject('/orders/1');
    await app.inject('/orders/2');
    await app.inject('/nowhere');
    const response = await app.inject('/metrics');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(response.body, /^process_cpu_seconds_total /m);
    const count = (route: string, status: number) =>
      sample(
        registry,
        `http_request_duration_seconds_count{method="GET",route="${route}",status_code="${status}"}`,
      );
    assert.equal(await count('/orders/:id', 200), 2);
    assert.equal(await count(unmatchedRoute, 404), 1);
    await app.close();
  });
});
