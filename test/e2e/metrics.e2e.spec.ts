/**
 * GET /metrics of the four running services moves by what the orders did: a completed order and a
 * declined one, scraped before and after (the e2e specs run one file at a time, and the orders of
 * earlier files have ended, so the counters move by exactly these two orders).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Topics } from '../../lib/kafka/topics.ts';
import { type Samples, scrape } from '../support/prometheus-text.ts';
import { http, orderBody, placeOrder, urls, waitForStatus } from '../support/system-under-test.ts';

const services = ['orchestrator', 'inventory', 'payment', 'shipping'] as const;
type Scrapes = Record<(typeof services)[number], Samples>;

const scrapeAll = async (): Promise<Scrapes> => {
  const [orchestrator, inventory, payment, shipping] = await Promise.all(
    services.map((s) => scrape(urls[s])),
  );
  return { orchestrator, inventory, payment, shipping } as Scrapes;
};

describe('metrics, end to end', () => {
  test('a completed and a declined order move the saga, participant and HTTP metrics by exactly their work', async () => {
    const sku = 'SKU-003';
    const stockLevel = async () => (await http('GET', `${urls.inventory}/stock/${sku}`)).body;
    const { unitPrice: price, available: stockBefore } = await stockLevel();
    const before = await scrapeAll();
    const completed = await placeOrder(orderBody({ sku, quantity: 2 }));
    const declined = await placeOrder(orderBody({ sku, quantity: 1, paymentToken: 'tok_decline' }));
    assert.equal((await waitForStatus(completed, ['COMPLETED', 'CANCELLED', 'FAILED'])).status, 'COMPLETED');
    assert.equal((await waitForStatus(declined, ['COMPLETED', 'CANCELLED', 'FAILED'])).status, 'CANCELLED');
    const after = await scrapeAll();
    const moved = (service: keyof Scrapes, name: string, labels: Record<string, string> = {}) =>
      after[service].value(name, labels) - before[service].value(name, labels);

    // orchestrator: the sagas and their steps
    assert.equal(moved('orchestrator', 'saga_started_total'), 2);
    assert.equal(moved('orchestrator', 'saga_finished_total', { outcome: 'completed', reason: '' }), 1);
    assert.equal(
      moved('orchestrator', 'saga_finished_total', { outcome: 'cancelled', reason: 'payment_declined' }),
      1,
    );
    assert.equal(moved('orchestrator', 'saga_duration_seconds_count', { outcome: 'completed' }), 1);
    assert.equal(moved('orchestrator', 'saga_duration_seconds_count', { outcome: 'cancelled' }), 1);
    for (const [command, steps] of [
      ['ReserveStock', 2],
      ['ProcessPayment', 2],
      ['ScheduleShipping', 1],
      ['ReleaseStock', 1],
    ] as const)
      assert.equal(moved('orchestrator', 'saga_step_latency_seconds_count', { command }), steps, command);
    assert.equal(
      moved('orchestrator', 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/orders',
        status_code: '202',
      }),
      2,
    );
    assert.ok(after.orchestrator.has('sagas_in_flight'), 'read from the database when scraped');

    // participants: commands by outcome, stock, payments
    const commands = (service: keyof Scrapes, command: string, outcome: string) =>
      moved(service, 'participant_commands_total', { command, outcome });
    assert.equal(commands('inventory', 'ReserveStock', 'reserved'), 2);
    assert.equal(commands('inventory', 'ReleaseStock', 'released'), 1);
    assert.equal(commands('payment', 'ProcessPayment', 'succeeded'), 1);
    assert.equal(commands('payment', 'ProcessPayment', 'declined'), 1);
    assert.equal(commands('shipping', 'ScheduleShipping', 'scheduled'), 1);
    assert.equal(moved('payment', 'payments_total', { kind: 'charge' }), 1);
    assert.equal(
      moved('payment', 'payment_amount_minor_total', { kind: 'charge', currency: 'EUR' }),
      2 * price,
    );
    assert.equal(after.inventory.value('stock_available', { sku }), stockBefore - 2);
    assert.equal(after.inventory.value('stock_available', { sku }), (await stockLevel()).available);

    // every service: its consumer's lag per partition, its outbox
    const lagTopics: Record<(typeof services)[number], string> = {
      orchestrator: Topics.inventoryEvents,
      inventory: Topics.inventoryCommands,
      payment: Topics.paymentCommands,
      shipping: Topics.shippingCommands,
    };
    for (const service of services) {
      const lag = after[service].seriesOf('kafka_consumer_lag').filter((s) => s.includes(lagTopics[service]));
      assert.ok(lag.length > 0, `${service} reports the lag of ${lagTopics[service]}`);
      assert.ok(after[service].has('outbox_backlog_rows'), `${service} reports its outbox backlog`);
      assert.ok(moved(service, 'outbox_publish_seconds_count') > 0, `${service} published from its outbox`);
      assert.ok(after[service].value('process_cpu_seconds_total') > 0, `${service}: process metrics`);
    }
  });

  test('GET /metrics is public and Prometheus text on every service', async () => {
    for (const service of services) {
      const response = await fetch(`${urls[service]}/metrics`);
      assert.equal(response.status, 200, service);
      assert.match(String(response.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
      assert.match(await response.text(), /^# TYPE http_request_duration_seconds histogram$/m);
    }
    // No token is needed, and a bad one does not matter on a public route.
    const withBadToken = await fetch(`${urls.payment}/metrics`, {
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(withBadToken.status, 200);
  });
});
