import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { eventOfType, newOrderRecord } from '../../test/support/saga-fixtures.ts';
import { commandMessageId } from './command-ids.ts';
import { pricingOf } from './order-pricing.ts';
import { restore, type SagaStep, start, step } from './order-saga.machine.ts';
import type { EventCause } from './saga-history.ts';
import type { SagaAction, SagaContext, SagaStateName } from './saga-types.ts';
import {
  type DeadlinePolicy,
  deadlineAfter,
  decideStart,
  decideStep,
  type StepDecisionDeps,
} from './step-decision.ts';

const deadlinePolicy: DeadlinePolicy = {
  stepTimeoutMs: 1_000,
  backoffMultiplier: 2,
  maxStepTimeoutMs: 5_000,
  jitterPercent: 20,
};
const now = new Date('2026-01-01T00:00:00Z');
/** The client sent 250 a unit; the catalog (the saga's context) says 300: 900 is charged. */
const order = { ...newOrderRecord(), items: [{ sku: 'SKU-009', quantity: 3, unitPrice: 250 }], total: 750 };
const retryPolicy = { forwardAttempts: 3, compensationAttempts: 3 };
const saga: SagaContext = {
  ...start({ orderId: order.orderId, retryPolicy, pricing: pricingOf(order) }).snapshot.context,
  catalog: { total: 900, unitPrices: { 'SKU-009': 300 } },
};
const deps = (): StepDecisionDeps => {
  let n = 0;
  return { deadlinePolicy, random: () => 0, newId: () => `id-${++n}` };
};
const reply: EventCause = { kind: 'reply', type: 'PaymentSucceeded', messageId: 'cause-1', detail: { a: 1 } };

/** The decision on a step that stays in `value` (no status message) and asks for `actions`. */
const decideActions = (actions: SagaAction[], context = saga, value: SagaStateName = 'processingPayment') => {
  const snapshot = restore({ value, context });
  const after: SagaStep = { snapshot, actions, accepted: true };
  return decideStep(order, restore({ value, context }), reply, after, now, deps());
};

describe('saga step decision', () => {
  test('deadlines back off exponentially, capped, with at most jitterPercent of random extra', () => {
    const at = (attempt: number, random = 0) =>
      deadlineAfter(attempt, now, { deadlinePolicy, random: () => random }).getTime() - now.getTime();
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
    const sent = decideActions([
      { type: 'sendCommand', params: { command: 'ReleaseStock', attempt: 2, round: 0 } },
    ]);
    assert.equal(sent.messages[0]?.messageId, first);
  });

  test('commands are built from the order; envelopes carry order, correlation and causation ids', () => {
    const decision = decideActions([
      { type: 'sendCommand', params: { command: 'ProcessPayment', attempt: 1, round: 0 } },
      { type: 'armDeadline', params: { command: 'ProcessPayment', attempt: 1, compensation: false } },
    ]);
    assert.deepEqual(
      decision.messages.map((m) => m.record),
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
    assert.equal(decision.messages[0]?.orderId, order.orderId);
    assert.equal(decision.messages[0]?.correlationId, order.correlationId);
    assert.equal(decision.messages[0]?.causationId, 'cause-1');
    assert.deepEqual(decision.deadlineAt, new Date(now.getTime() + 1_000));
    assert.deepEqual(
      decision.history.map((h) => [h.kind, h.type, h.detail]),
      [
        ['reply_received', 'PaymentSucceeded', { a: 1 }],
        ['command_sent', 'ProcessPayment', { attempt: 1, round: 0 }],
      ],
    );
  });

  test('compensations carry the cancel reason; terminal events clear the deadline and publish lifecycle events', () => {
    const decision = decideActions(
      [
        { type: 'sendCommand', params: { command: 'RefundPayment', attempt: 1, round: 0 } },
        { type: 'disarmDeadline' },
        { type: 'publishOrderEvent', params: { event: 'OrderCancelled', reason: 'shipping_failed' } },
      ],
      { ...saga, cancelReason: 'shipping_failed' },
    );
    assert.deepEqual(
      decision.messages.map((m) => m.record),
      [
        { type: 'RefundPayment', payload: { orderId: order.orderId, reason: 'shipping_failed' } },
        { type: 'OrderCancelled', payload: { orderId: order.orderId, reason: 'shipping_failed' } },
      ],
    );
    assert.equal(decision.messages[1]?.messageId, 'id-1');
    assert.equal(decision.deadlineAt, null);
  });

  test('ProcessPayment and OrderCompleted carry the catalog total; before it is known they are refused', () => {
    const completed = decideActions([{ type: 'publishOrderEvent', params: { event: 'OrderCompleted' } }]);
    assert.deepEqual(completed.messages[0]?.record, {
      type: 'OrderCompleted',
      payload: { orderId: order.orderId, total: 900, currency: 'EUR' },
    });
    const unpriced = { ...saga, catalog: null };
    assert.throws(
      () =>
        decideActions(
          [{ type: 'sendCommand', params: { command: 'ProcessPayment', attempt: 1, round: 0 } }],
          unpriced,
        ),
      /ProcessPayment needs the catalog total/,
    );
    const placed = decideActions([{ type: 'publishOrderEvent', params: { event: 'OrderPlaced' } }], unpriced);
    assert.equal(
      (placed.messages[0]?.record.payload as { total: unknown }).total,
      null,
      'OrderPlaced: total unknown',
    );
  });

  test('no deadline action keeps the stored deadline', () => {
    const decision = decideActions([{ type: 'publishOrderEvent', params: { event: 'OrderPlaced' } }]);
    assert.equal(decision.deadlineAt, undefined);
  });

  test('a new saga: saga_started, then OrderPlaced and ReserveStock (caused by nothing) and their deadline', () => {
    const started = start({
      orderId: order.orderId,
      retryPolicy,
      pricing: pricingOf(order),
    });
    const decision = decideStart(order, started, now, deps());
    assert.deepEqual(
      decision.history.map((h) => [h.kind, h.type, h.to_state]),
      [
        ['saga_started', 'OrderPlaced', 'reservingStock'],
        ['order_event', 'OrderPlaced', null],
        ['command_sent', 'ReserveStock', null],
      ],
    );
    assert.deepEqual(
      decision.messages.map((m) => [m.record.type, m.causationId]),
      [
        ['OrderPlaced', null],
        ['ReserveStock', null],
      ],
    );
    assert.deepEqual(decision.deadlineAt, new Date(now.getTime() + 1_000));
  });

  test('a step that moves the saga ends its messages with OrderStatusChanged, caused by the event', () => {
    const before = restore({ value: 'processingPayment', context: saga });
    const decision = decideStep(
      order,
      before,
      reply,
      step(before, eventOfType('PaymentSucceeded')),
      now,
      deps(),
    );
    assert.equal(decision.accepted, true);
    assert.deepEqual([decision.from, decision.to], ['processingPayment', 'schedulingShipping']);
    assert.deepEqual(
      decision.messages.map((m) => [m.record.type, m.causationId]),
      [
        ['ScheduleShipping', 'cause-1'],
        ['OrderStatusChanged', 'cause-1'],
      ],
    );
    assert.deepEqual(decision.messages[1]?.record.payload, {
      orderId: order.orderId,
      status: 'pending',
      sagaState: 'schedulingShipping',
      previousSagaState: 'processingPayment',
    });
    const [row] = decision.history;
    assert.deepEqual(
      [row?.kind, row?.message_id, row?.from_state, row?.to_state],
      ['reply_received', 'cause-1', 'processingPayment', 'schedulingShipping'],
    );
  });

  test('an event the state does not take leaves only its `_ignored` row; a deadline records its attempt', () => {
    const before = restore({ value: 'processingPayment', context: { ...saga, attempt: 2 } });
    const ignored = decideStep(order, before, reply, step(before, eventOfType('StockReleased')), now, deps());
    assert.deepEqual(
      [ignored.accepted, ignored.to, ignored.messages.length, ignored.deadlineAt],
      [false, 'processingPayment', 0, undefined],
    );
    assert.deepEqual(
      ignored.history.map((h) => [h.kind, h.from_state, h.to_state]),
      [['reply_ignored', 'processingPayment', 'processingPayment']],
    );
    const deadline: EventCause = { kind: 'deadline', type: 'DEADLINE_PASSED', messageId: null };
    const resent = decideStep(
      order,
      before,
      deadline,
      step(before, eventOfType('DEADLINE_PASSED')),
      now,
      deps(),
    );
    assert.deepEqual(resent.history[0]?.detail, { attempt: 2 });
    assert.equal(resent.history[0]?.kind, 'deadline_passed');
    assert.deepEqual(
      resent.messages.map((m) => m.record.type),
      ['ProcessPayment'],
      'a re-send in the same state: no OrderStatusChanged',
    );
  });
});
