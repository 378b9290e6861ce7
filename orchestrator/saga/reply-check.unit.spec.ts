import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { commandMessageId } from './command-ids.ts';
import { checkReply, type ParticipantEventTopics, type ReplyMeta, rejectedReplyRow } from './reply-check.ts';
import type { PersistedSaga, SagaStateName } from './saga-types.ts';

const topics: ParticipantEventTopics = {
  inventoryEvents: 't9.inventory-events',
  paymentEvents: 't9.payment-events',
  shippingEvents: 't9.shipping-events',
};
const orderId = '0190a6e2-7c00-7000-8000-000000000001';

const sagaIn = (value: SagaStateName, round = 0): PersistedSaga => ({
  value,
  context: {
    orderId,
    retryPolicy: { forwardAttempts: 3, compensationAttempts: 3 },
    attempt: 2,
    round,
    cancelReason: null,
    failure: null,
    pricing: { currency: 'EUR', lines: [] },
    catalog: null,
  },
});
const paymentSucceeded = (overrides: Partial<ReplyMeta> = {}): ReplyMeta => ({
  type: 'PaymentSucceeded',
  causationId: commandMessageId(orderId, 'ProcessPayment', 0),
  topic: topics.paymentEvents,
  ...overrides,
});

describe('reply check', () => {
  it("accepts a reply to the current step's command (any attempt: one id), on its participant's topic", () => {
    assert.deepEqual(checkReply(sagaIn('processingPayment'), paymentSucceeded(), topics), { accepted: true });
    const failed = paymentSucceeded({ type: 'PaymentFailed' });
    assert.deepEqual(checkReply(sagaIn('processingPayment'), failed, topics), { accepted: true });
    const upper = paymentSucceeded({
      causationId: commandMessageId(orderId, 'ProcessPayment', 0).toUpperCase(),
    });
    assert.deepEqual(checkReply(sagaIn('processingPayment'), upper, topics), { accepted: true });
  });

  it('accepts a compensation reply in its round, after an operator retry', () => {
    const released: ReplyMeta = {
      type: 'StockReleased',
      causationId: commandMessageId(orderId, 'ReleaseStock', 2),
      topic: topics.inventoryEvents,
    };
    assert.deepEqual(checkReply(sagaIn('releasingStock', 2), released, topics), { accepted: true });
  });

  it('rejects a reply without a causation id: no_causation_id', () => {
    const verdict = checkReply(sagaIn('processingPayment'), paymentSucceeded({ causationId: null }), topics);
    assert.deepEqual(verdict, { accepted: false, reason: 'no_causation_id' });
  });

  it('rejects a causation id the saga never sent: unknown_causation', () => {
    const forged = paymentSucceeded({ causationId: randomUUID() });
    assert.deepEqual(checkReply(sagaIn('processingPayment'), forged, topics), {
      accepted: false,
      reason: 'unknown_causation',
    });
    const otherOrder = paymentSucceeded({
      causationId: commandMessageId('0190a6e2-7c00-7000-8000-000000000002', 'ProcessPayment', 0),
    });
    assert.deepEqual(checkReply(sagaIn('processingPayment'), otherOrder, topics), {
      accepted: false,
      reason: 'unknown_causation',
    });
    const laterRound = paymentSucceeded({ causationId: commandMessageId(orderId, 'ProcessPayment', 1) });
    assert.equal(checkReply(sagaIn('processingPayment'), laterRound, topics).accepted, false);
  });

  it('rejects a reply from another topic than its participant’s, even with the right causation: wrong_topic', () => {
    for (const topic of [topics.inventoryEvents, topics.shippingEvents, 'payment-events', 'order-events']) {
      assert.deepEqual(checkReply(sagaIn('processingPayment'), paymentSucceeded({ topic }), topics), {
        accepted: false,
        reason: 'wrong_topic',
      });
    }
  });

  it("rejects a reply to one of the saga's earlier commands: earlier_step", () => {
    const lateReservation: ReplyMeta = {
      type: 'StockReserved',
      causationId: commandMessageId(orderId, 'ReserveStock', 0),
      topic: topics.inventoryEvents,
    };
    assert.deepEqual(checkReply(sagaIn('processingPayment'), lateReservation, topics), {
      accepted: false,
      reason: 'earlier_step',
    });
    // A duplicate reply after the saga ended; a reply of an earlier round after an operator retry.
    assert.deepEqual(checkReply(sagaIn('completed'), paymentSucceeded(), topics), {
      accepted: false,
      reason: 'earlier_step',
    });
    const oldRound: ReplyMeta = {
      type: 'StockReleased',
      causationId: commandMessageId(orderId, 'ReleaseStock', 0),
      topic: topics.inventoryEvents,
    };
    assert.deepEqual(checkReply(sagaIn('releasingStock', 1), oldRound, topics), {
      accepted: false,
      reason: 'earlier_step',
    });
  });

  it("rejects a reply whose causation is the current step's command but whose type answers another", () => {
    const wrongType: ReplyMeta = {
      type: 'PaymentRefunded',
      causationId: commandMessageId(orderId, 'ProcessPayment', 0),
      topic: topics.paymentEvents,
    };
    assert.deepEqual(checkReply(sagaIn('processingPayment'), wrongType, topics), {
      accepted: false,
      reason: 'earlier_step',
    });
  });

  it("records a rejected reply with its reason and origin, and the reply's own fields under `reply`", () => {
    const at = new Date('2026-01-01T00:00:00Z');
    const cause = {
      kind: 'reply',
      type: 'PaymentFailed',
      messageId: 'm-1',
      detail: { reason: 'declined' },
    } as const;
    const origin = { topic: topics.shippingEvents, causationId: 'c-1' };
    assert.deepEqual(rejectedReplyRow(sagaIn('processingPayment'), cause, origin, 'wrong_topic', at), {
      order_id: orderId,
      kind: 'reply_rejected',
      type: 'PaymentFailed',
      message_id: 'm-1',
      from_state: 'processingPayment',
      to_state: 'processingPayment',
      detail: {
        reason: 'wrong_topic',
        topic: topics.shippingEvents,
        causationId: 'c-1',
        reply: { reason: 'declined' },
      },
      at,
    });
  });
});
