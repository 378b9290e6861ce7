import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newOrderRecord } from '../../test/support/saga-fixtures.ts';
import type { SagaContext } from '../saga/saga-types.ts';
import {
  commandMessageId,
  type DeadlinePolicy,
  deadlineAfter,
  type EffectContext,
  planEffects,
} from './saga-effects.ts';

const policy: DeadlinePolicy = {
  stepTimeoutMs: 1_000,
  backoffMultiplier: 2,
  maxStepTimeoutMs: 5_000,
  jitterPercent: 20,
};
const now = new Date('2026-01-01T00:00:00Z');
/** The client sent 250 a unit; the catalog (the saga's context) says 300: 900 is charged. */
const order = { ...newOrderRecord(), items: [{ sku: 'SKU-009', quantity: 3, unitPrice: 250 }], total: 750 };
const saga: SagaContext = {
  orderId: order.orderId,
  retryPolicy: { forwardAttempts: 3, compensationAttempts: 3 },
  attempt: 1,
  round: 0,
  cancelReason: null,
  failure: null,
  pricing: { currency: 'EUR', lines: [{ sku: 'SKU-009', quantity: 3, expectedUnitPrice: null }] },
  catalog: { total: 900, unitPrices: { 'SKU-009': 300 } },
};
const ctx = (overrides: Partial<EffectContext> = {}): EffectContext => {
  let n = 0;
  return {
    order,
    saga,
    now,
    random: () => 0,
    newId: () => `id-${++n}`,
    causationId: 'cause-1',
    policy,
    ...overrides,
  };
};

describe('saga effects planner', () => {
  test('deadlines back off exponentially, capped, with at most jitterPercent of random extra', () => {
    const at = (attempt: number, random = 0) =>
      deadlineAfter(attempt, { now, random: () => random, policy }).getTime() - now.getTime();
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((a) => at(a)),
      [1_000, 2_000, 4_000, 5_000, 5_000],
    );
    assert.equal(at(1, 0.5), 1_100);
    assert.equal(at(3, 0.999_999), 4_800);
  });

  test('a command keeps its message id across attempts and gets a new one in a new operator round', () => {
    const first = commandMessageId(order.orderId, 'ReleaseStock', 0);
    assert.equal(commandMessageId(order.orderId, 'ReleaseStock', 0), first);
    assert.notEqual(commandMessageId(order.orderId, 'ReleaseStock', 1), first);
    assert.notEqual(commandMessageId(order.orderId, 'RefundPayment', 0), first);
    const sent = planEffects(
      [{ type: 'sendCommand', params: { command: 'ReleaseStock', attempt: 2, round: 0 } }],
      ctx(),
    );
    assert.equal(sent.messages[0]?.messageId, first);
  });

  test('commands are built from the order; envelopes carry order, correlation and causation ids', () => {
    const effects = planEffects(
      [
        { type: 'sendCommand', params: { command: 'ProcessPayment', attempt: 1, round: 0 } },
        { type: 'armDeadline', params: { command: 'ProcessPayment', attempt: 1, compensation: false } },
      ],
      ctx(),
    );
    assert.deepEqual(
      effects.messages.map((m) => m.record),
      [
        {
          type: 'ProcessPayment',
          payload: {
            orderId: order.orderId,
            customerId: order.customerId,
            amount: 900,
            currency: 'EUR',
            paymentToken: 'tok_visa',
          },
        },
      ],
    );
    assert.equal(effects.messages[0]?.orderId, order.orderId);
    assert.equal(effects.messages[0]?.correlationId, order.correlationId);
    assert.equal(effects.messages[0]?.causationId, 'cause-1');
    assert.deepEqual(effects.deadline, { kind: 'set', at: new Date(now.getTime() + 1_000) });
    assert.deepEqual(
      effects.history.map((h) => [h.kind, h.type, h.detail]),
      [['command_sent', 'ProcessPayment', { attempt: 1, round: 0 }]],
    );
  });

  test('compensations carry the cancel reason; terminal events clear the deadline and publish lifecycle events', () => {
    const effects = planEffects(
      [
        { type: 'sendCommand', params: { command: 'RefundPayment', attempt: 1, round: 0 } },
        { type: 'disarmDeadline' },
        { type: 'publishOrderEvent', params: { event: 'OrderCancelled', reason: 'shipping_failed' } },
      ],
      ctx({ saga: { ...saga, cancelReason: 'shipping_failed' } }),
    );
    assert.deepEqual(
      effects.messages.map((m) => m.record),
      [
        { type: 'RefundPayment', payload: { orderId: order.orderId, reason: 'shipping_failed' } },
        { type: 'OrderCancelled', payload: { orderId: order.orderId, reason: 'shipping_failed' } },
      ],
    );
    assert.equal(effects.messages[1]?.messageId, 'id-1');
    assert.deepEqual(effects.deadline, { kind: 'clear' });
  });

  test('ProcessPayment and OrderCompleted carry the catalog total; before it is known they are refused', () => {
    const completed = planEffects(
      [{ type: 'publishOrderEvent', params: { event: 'OrderCompleted' } }],
      ctx(),
    );
    assert.deepEqual(completed.messages[0]?.record, {
      type: 'OrderCompleted',
      payload: { orderId: order.orderId, total: 900, currency: 'EUR' },
    });
    const unpriced = ctx({ saga: { ...saga, catalog: null } });
    assert.throws(
      () =>
        planEffects(
          [{ type: 'sendCommand', params: { command: 'ProcessPayment', attempt: 1, round: 0 } }],
          unpriced,
        ),
      /ProcessPayment needs the catalog total/,
    );
    const placed = planEffects([{ type: 'publishOrderEvent', params: { event: 'OrderPlaced' } }], unpriced);
    assert.equal(
      (placed.messages[0]?.record.payload as { total: unknown }).total,
      null,
      'OrderPlaced: total unknown',
    );
  });

  test('no deadline action keeps the stored deadline', () => {
    assert.deepEqual(
      planEffects([{ type: 'publishOrderEvent', params: { event: 'OrderPlaced' } }], ctx()).deadline,
      { kind: 'keep' },
    );
  });
});
