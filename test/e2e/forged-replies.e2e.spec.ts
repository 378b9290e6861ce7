import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, afterEach, before, describe, test } from 'node:test';
import type { RecordName } from '../../lib/contracts/generated.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { toHeaders } from '../../lib/messaging/headers.ts';
import { type KafkaHarness, openKafkaHarness } from '../support/kafka-harness.ts';
import {
  clearFaults,
  getOrder,
  http,
  orderBody,
  placeOrder,
  setFault,
  urls,
  waitForStatus,
} from '../support/system-under-test.ts';
import { waitFor } from '../support/wait-for.ts';

interface HistoryEntry {
  kind: string;
  type: string;
  messageId: string | null;
  fromState: string | null;
  toState: string | null;
  detail: Record<string, unknown> | null;
}

/** Replies written by someone with access to Kafka, not by the participant the saga asked. */
describe('forged replies', () => {
  let harness: KafkaHarness;
  before(async () => {
    harness = await openKafkaHarness('e2e-forged-replies');
  });
  after(() => harness.close());
  afterEach(clearFaults);

  test('a PaymentSucceeded the saga did not ask for ships nothing: reply_rejected with its reason, never charged', async () => {
    // Payment never answers, so the saga waits in processingPayment for the forgeries.
    await setFault('payment', { mode: 'silent', commands: ['ProcessPayment'] });
    const orderId = await placeOrder(orderBody({ sku: 'SKU-007', quantity: 1 }));
    const waiting = await waitFor(`order ${orderId} waiting for its payment`, async () => {
      const { body } = await getOrder(orderId);
      return body?.saga?.state === 'processingPayment' ? body : undefined;
    });
    const sentId = (type: string): string =>
      waiting.saga.history.find((h: HistoryEntry) => h.kind === 'command_sent' && h.type === type).messageId;

    const forge = async (topic: string, type: RecordName, payload: object, causationId: string | null) => {
      const messageId = randomUUID();
      const headers = toHeaders({
        messageId,
        orderId,
        correlationId: orderId,
        causationId,
        recordType: type,
        occurredAt: new Date().toISOString(),
      });
      const value = await harness.codec.encode(type, payload as never);
      await harness.producer.send({ topic, messages: [{ key: orderId, value, headers }] });
      return messageId;
    };
    const paid = { orderId, paymentId: randomUUID(), amount: 1, currency: 'EUR' };
    const reserved = { orderId, reservationId: randomUUID(), lines: [] };
    const forged = new Map([
      [await forge(Topics.paymentEvents, 'PaymentSucceeded', paid, randomUUID()), 'unknown_causation'],
      [await forge(Topics.paymentEvents, 'PaymentSucceeded', paid, null), 'no_causation_id'],
      [await forge(Topics.shippingEvents, 'PaymentSucceeded', paid, sentId('ProcessPayment')), 'wrong_topic'],
      [
        await forge(Topics.inventoryEvents, 'StockReserved', reserved, sentId('ReserveStock')),
        'earlier_step',
      ],
    ]);

    const rejected = await waitFor('the four forged replies in the saga history', async () => {
      const { body } = await getOrder(orderId);
      const rows = (body?.saga?.history ?? []).filter((h: HistoryEntry) => h.kind === 'reply_rejected');
      return rows.length >= forged.size ? (rows as HistoryEntry[]) : undefined;
    });
    assert.deepEqual(
      new Map(rejected.map((h) => [h.messageId, h.detail?.reason])),
      forged,
      'each recorded with why it was rejected',
    );
    for (const h of rejected) assert.equal(h.fromState, h.toState, 'no forged reply changed the state');

    // The saga carries on as if nothing had arrived: the payment times out and it is compensated.
    const order = await waitForStatus(orderId, ['CANCELLED', 'COMPLETED', 'FAILED']);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancelReason, 'timeout');
    const kinds = order.saga.history.map((h: HistoryEntry) => `${h.kind}:${h.type}`);
    assert.ok(!kinds.includes('reply_received:PaymentSucceeded'), kinds.join(', '));
    assert.ok(!kinds.includes('command_sent:ScheduleShipping'), 'nothing was shipped');
    const payment = await http('GET', `${urls.payment}/payments/${orderId}`);
    assert.notEqual(payment.body?.status, 'CHARGED', 'the customer was never charged');
  });
});
