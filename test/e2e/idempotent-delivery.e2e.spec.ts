import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Topics } from '../../lib/kafka/topics.ts';
import {
  firstMessageHeaders,
  groupOf,
  type KafkaHarness,
  openKafkaHarness,
  waitForCommittedPast,
} from '../support/kafka-harness.ts';
import { http, orderBody, placeOrder, stockOf, urls, waitForStatus } from '../support/system-under-test.ts';

/** At-least-once delivery, exactly-once effect: a command delivered twice is applied once. */
describe('idempotent participants', () => {
  let harness: KafkaHarness;
  before(async () => {
    harness = await openKafkaHarness('e2e-duplicates');
  });
  after(() => harness.close());

  test('ReserveStock and ProcessPayment re-produced with their original message ids have no second effect', async () => {
    const orderId = await placeOrder(orderBody({ sku: 'SKU-005', quantity: 2 }));
    const order = await waitForStatus(orderId, ['COMPLETED']);
    const stockAfterSaga = await stockOf('SKU-005');
    const sent = (type: string) =>
      order.saga.history.find(
        (h: { kind: string; type: string }) => h.kind === 'command_sent' && h.type === type,
      );
    const reserve = sent('ReserveStock');
    const pay = sent('ProcessPayment');

    const redeliver = async (
      type: 'ReserveStock' | 'ProcessPayment',
      messageId: string,
      topic: string,
      payload: never,
    ) => {
      const value = await harness.codec.encode(type, payload);
      const headers = firstMessageHeaders(type, orderId, messageId);
      const [meta] = await harness.producer.send({ topic, messages: [{ key: orderId, value, headers }] });
      assert.ok(meta);
      return meta;
    };
    const reserveMeta = await redeliver('ReserveStock', reserve.messageId, Topics.inventoryCommands, {
      orderId,
      items: [{ sku: 'SKU-005', quantity: 2 }],
    } as never);
    const payMeta = await redeliver('ProcessPayment', pay.messageId, Topics.paymentCommands, {
      orderId,
      customerId: order.customerId,
      amount: order.total,
      currency: 'EUR',
      paymentToken: 'tok_visa',
    } as never);

    // Wait until both participants have consumed and committed past the duplicates…
    await waitForCommittedPast(
      harness.admin,
      groupOf('inventory'),
      Topics.inventoryCommands,
      reserveMeta.partition,
      reserveMeta.baseOffset ?? '0',
    );
    await waitForCommittedPast(
      harness.admin,
      groupOf('payment'),
      Topics.paymentCommands,
      payMeta.partition,
      payMeta.baseOffset ?? '0',
    );
    // …then nothing changed: no second reservation, no second charge, no new reply in the saga.
    assert.equal(await stockOf('SKU-005'), stockAfterSaga);
    const payment = await http('GET', `${urls.payment}/payments/${orderId}`);
    assert.equal(payment.body.status, 'CHARGED');
    const again = (await http('GET', `${urls.orchestrator}/orders/${orderId}`)).body;
    assert.equal(again.saga.history.length, order.saga.history.length);
  });
});
