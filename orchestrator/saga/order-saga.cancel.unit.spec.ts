/** The order saga machine on CANCEL: in every state that allows it, and refused everywhere else. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cancelledWith,
  commandsSent,
  DEADLINE,
  type EventType,
  enter,
  input,
  run,
} from '../../test/support/order-saga-runs.ts';
import { commandMessageId } from './command-ids.ts';
import { orderStatusOf, start, step, toPersisted } from './order-saga.machine.ts';
import { checkReply } from './reply-check.ts';
import type { CommandName, SagaStateName } from './saga-types.ts';

const CANCEL: EventType = 'CANCEL';

describe('order saga: CANCEL undoes what has been done so far, the step in flight included', () => {
  const cases: {
    state: SagaStateName;
    given: EventType[];
    /** The compensation CANCEL enters: the one of the step in flight (or, once completed, of the last). */
    first: CommandName;
    replies: EventType[];
    compensations: string[];
  }[] = [
    {
      state: 'reservingStock',
      given: [],
      first: 'ReleaseStock',
      replies: ['StockReleased'],
      compensations: ['ReleaseStock#1/r0'],
    },
    {
      state: 'processingPayment',
      given: ['StockReserved'],
      first: 'RefundPayment',
      replies: ['PaymentRefunded', 'StockReleased'],
      compensations: ['RefundPayment#1/r0', 'ReleaseStock#1/r0'],
    },
    {
      state: 'schedulingShipping',
      given: ['StockReserved', 'PaymentSucceeded'],
      first: 'CancelShipping',
      replies: ['ShippingCancelled', 'PaymentRefunded', 'StockReleased'],
      compensations: ['CancelShipping#1/r0', 'RefundPayment#1/r0', 'ReleaseStock#1/r0'],
    },
    {
      state: 'completed',
      given: ['StockReserved', 'PaymentSucceeded', 'ShippingScheduled'],
      first: 'CancelShipping',
      replies: ['ShippingCancelled', 'PaymentRefunded', 'StockReleased'],
      compensations: ['CancelShipping#1/r0', 'RefundPayment#1/r0', 'ReleaseStock#1/r0'],
    },
  ];
  for (const c of cases) {
    it(`${c.state}: ${c.compensations.join(' → ')}, then CANCELLED customer_cancelled`, () => {
      const before = run(c.given).snapshot;
      assert.equal(before.value, c.state);
      const cancel = step(before, { type: 'CANCEL' });
      assert.equal(cancel.accepted, true);
      assert.deepEqual(cancel.actions, enter(c.first, { compensation: true }));
      assert.equal(cancel.snapshot.context.cancelReason, 'customer_cancelled');
      const { snapshot, steps, last } = run(c.replies, cancel.snapshot);
      assert.deepEqual(commandsSent([cancel, ...steps]), c.compensations);
      assert.deepEqual(last?.actions, cancelledWith('customer_cancelled'));
      assert.equal(orderStatusOf(snapshot.value), 'CANCELLED');
    });
  }

  it('a cancel after a re-send undoes the step at attempt 1 of its compensation', () => {
    const resent = run([DEADLINE]);
    assert.equal(resent.snapshot.context.attempt, 2);
    const cancel = step(resent.snapshot, { type: 'CANCEL' });
    assert.deepEqual(cancel.actions, enter('ReleaseStock', { compensation: true }));
  });
});

describe('order saga: a late reply to the step a cancel interrupted does not move the saga', () => {
  it('PaymentSucceeded after CANCEL in processingPayment: ignored by the machine, earlier_step for the reply check', () => {
    const orderId = '00000000-0000-4000-8000-000000000037';
    const cancelled = run(['StockReserved', CANCEL], start({ ...input, orderId }).snapshot).snapshot;
    assert.equal(cancelled.value, 'refundingPayment');
    const late = step(cancelled, { type: 'PaymentSucceeded' });
    assert.equal(late.accepted, false);
    assert.equal(late.snapshot, cancelled);
    const topics = { inventoryEvents: 'inv', paymentEvents: 'pay', shippingEvents: 'ship' };
    const reply = {
      type: 'PaymentSucceeded' as const,
      topic: 'pay',
      causationId: commandMessageId(orderId, 'ProcessPayment', 0),
    };
    assert.deepEqual(checkReply(toPersisted(cancelled), reply, topics), {
      accepted: false,
      reason: 'earlier_step',
    });
  });
});

describe('order saga: CANCEL is refused (ignored) where it is not allowed', () => {
  const cases: { name: string; events: EventType[]; state: SagaStateName }[] = [
    {
      name: 'releasing stock after a declined payment',
      events: ['StockReserved', 'PaymentFailed'],
      state: 'releasingStock',
    },
    {
      name: 'refunding after a failed shipping',
      events: ['StockReserved', 'PaymentSucceeded', 'ShippingFailed'],
      state: 'refundingPayment',
    },
    {
      name: 'cancelling shipping after a shipping timeout',
      events: ['StockReserved', 'PaymentSucceeded', DEADLINE, DEADLINE, DEADLINE],
      state: 'cancellingShipping',
    },
    {
      name: 'a second cancel while the first compensates',
      events: ['StockReserved', CANCEL],
      state: 'refundingPayment',
    },
    { name: 'cancelled (out of stock)', events: ['StockRejected'], state: 'cancelled' },
    { name: 'cancelled by the customer', events: [CANCEL, 'StockReleased'], state: 'cancelled' },
    {
      name: 'failed (a compensation never answered)',
      events: ['StockReserved', 'PaymentFailed', DEADLINE, DEADLINE],
      state: 'failed',
    },
    {
      name: 'shipped (the carrier picked the parcel up)',
      events: ['StockReserved', 'PaymentSucceeded', 'ShippingScheduled', 'ShipmentPickedUp'],
      state: 'shipped',
    },
    {
      name: 'delivered',
      events: [
        'StockReserved',
        'PaymentSucceeded',
        'ShippingScheduled',
        'ShipmentPickedUp',
        'ShipmentDelivered',
      ],
      state: 'delivered',
    },
  ];
  for (const c of cases) {
    it(`${c.name}: stays ${c.state}, no actions`, () => {
      const { snapshot } = run(c.events);
      assert.equal(snapshot.value, c.state);
      const result = step(snapshot, { type: 'CANCEL' });
      assert.equal(result.accepted, false);
      assert.equal(result.snapshot, snapshot);
      assert.deepEqual(result.actions, []);
    });
  }
});
