/** The order saga machine on the carrier's events: shipped, delivered, and a pickup that outruns a cancel. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  commandsSent,
  DEADLINE,
  deliveredAt,
  disarm,
  type EventType,
  eventOf,
  input,
  pickedUpAt,
  run,
} from '../../test/support/order-saga-runs.ts';
import { commandMessageId } from './command-ids.ts';
import { orderStatusOf, start, step, toPersisted } from './order-saga.machine.ts';
import { checkReply } from './reply-check.ts';
import { type SagaEvent, sagaStateNames } from './saga-types.ts';

const CANCEL: EventType = 'CANCEL';
const completed: EventType[] = ['StockReserved', 'PaymentSucceeded', 'ShippingScheduled'];
const shipped = { carrier: 'DHL', pickedUpAt, deliveredAt: null };
const delivered = { carrier: 'DHL', pickedUpAt, deliveredAt };

describe('order saga: the carrier takes a completed order to shipped, then delivered', () => {
  it('completed → shipped on ShipmentPickedUp: OrderShipped, fulfilment recorded, status still COMPLETED', () => {
    const result = step(run(completed).snapshot, eventOf('ShipmentPickedUp'));
    assert.equal(result.snapshot.value, 'shipped');
    assert.deepEqual(result.actions, [
      disarm,
      { type: 'publishOrderEvent', params: { event: 'OrderShipped' } },
    ]);
    assert.deepEqual(result.snapshot.context.fulfilment, shipped);
    assert.equal(orderStatusOf('shipped'), 'COMPLETED');
  });

  it('shipped → delivered on ShipmentDelivered: OrderDelivered, both times, final', () => {
    const { snapshot, last } = run([...completed, 'ShipmentPickedUp', 'ShipmentDelivered']);
    assert.equal(snapshot.value, 'delivered');
    assert.equal(snapshot.status, 'done');
    assert.deepEqual(last?.actions, [{ type: 'publishOrderEvent', params: { event: 'OrderDelivered' } }]);
    assert.deepEqual(snapshot.context.fulfilment, { carrier: 'DHL', pickedUpAt, deliveredAt });
    assert.equal(orderStatusOf('delivered'), 'COMPLETED');
  });

  it('a repeated or out-of-order carrier event is ignored (same snapshot, no actions)', () => {
    const atShipped = run([...completed, 'ShipmentPickedUp']).snapshot;
    assert.equal(step(atShipped, eventOf('ShipmentPickedUp')).accepted, false);
    const atCompleted = run(completed).snapshot;
    assert.equal(step(atCompleted, eventOf('ShipmentDelivered')).accepted, false);
    const atDelivered = run([...completed, 'ShipmentPickedUp', 'ShipmentDelivered']).snapshot;
    for (const type of ['ShipmentPickedUp', 'ShipmentDelivered', 'CANCEL'] as const)
      assert.equal(step(atDelivered, eventOf(type)).accepted, false, type);
  });

  it('takes a carrier event only in completed, shipped, cancellingShipping (noted) and failed-in-cancellingShipping', () => {
    const runs: Record<string, EventType[]> = {
      reservingStock: [],
      processingPayment: ['StockReserved'],
      schedulingShipping: ['StockReserved', 'PaymentSucceeded'],
      refundingPayment: ['StockReserved', CANCEL],
      releasingStock: [CANCEL],
      cancelled: ['StockRejected'],
      failed: ['StockReserved', 'PaymentFailed', DEADLINE, DEADLINE],
    };
    for (const [state, events] of Object.entries(runs)) {
      const { snapshot } = run(events);
      assert.equal(snapshot.value, state);
      for (const type of ['ShipmentPickedUp', 'ShipmentDelivered'] as const)
        assert.equal(step(snapshot, eventOf(type)).accepted, false, `${type} in ${state}`);
    }
    assert.ok(sagaStateNames.includes('shipped') && sagaStateNames.includes('delivered'));
  });
});

describe('order saga: a pickup that outruns a cancel', () => {
  const cancelling = () => run([...completed, CANCEL]).snapshot;
  const tooLate = (parcel: typeof delivered | typeof shipped | null): SagaEvent => ({
    type: 'ShippingCancelled',
    cancelled: false,
    parcel,
  });
  const shippedActions = [disarm, { type: 'publishOrderEvent', params: { event: 'OrderShipped' } }];

  it('cancellingShipping: shipping answers too late with the parcel picked up → shipped, cancel given up, nothing refunded', () => {
    assert.equal(cancelling().value, 'cancellingShipping');
    const result = step(cancelling(), tooLate(shipped));
    assert.equal(result.snapshot.value, 'shipped');
    assert.equal(result.snapshot.context.cancelReason, null);
    assert.deepEqual(result.snapshot.context.fulfilment, shipped);
    assert.deepEqual(result.actions, shippedActions);
    assert.equal(commandsSent([result]).length, 0, 'no RefundPayment, no ReleaseStock');
  });

  it('cancellingShipping: too late with the parcel delivered → delivered, OrderShipped then OrderDelivered, deadline disarmed', () => {
    const result = step(cancelling(), tooLate(delivered));
    assert.equal(result.snapshot.value, 'delivered');
    assert.equal(result.snapshot.status, 'done');
    assert.deepEqual(result.snapshot.context.fulfilment, delivered);
    assert.deepEqual(result.actions, [
      ...shippedActions,
      { type: 'publishOrderEvent', params: { event: 'OrderDelivered' } },
    ]);
  });

  it('a carrier event while cancelling is only noted (no move, no action): shipping answers first', () => {
    const noted = step(cancelling(), eventOf('ShipmentPickedUp'));
    assert.equal(noted.accepted, true);
    assert.equal(noted.snapshot.value, 'cancellingShipping');
    assert.deepEqual(noted.actions, []);
    assert.deepEqual(noted.snapshot.context.fulfilment, shipped);
    assert.equal(noted.snapshot.context.cancelReason, 'customer_cancelled');
    const deliveredToo = step(noted.snapshot, eventOf('ShipmentDelivered'));
    assert.deepEqual(deliveredToo.actions, []);
    assert.deepEqual(deliveredToo.snapshot.context.fulfilment, delivered);
    // A pickup after the delivery (another instance published it late) keeps the delivery.
    const stale = step(deliveredToo.snapshot, eventOf('ShipmentPickedUp'));
    assert.deepEqual(stale.snapshot.context.fulfilment, delivered);
    // The answer decides, with what was noted: an answer written before the delivery still ends delivered.
    const answered = step(stale.snapshot, tooLate(shipped));
    assert.equal(answered.snapshot.value, 'delivered');
    assert.deepEqual(answered.snapshot.context.fulfilment, delivered);
  });

  it('an answer without a parcel (a shipping of the first schema version) after a noted pickup → shipped', () => {
    const noted = step(cancelling(), eventOf('ShipmentPickedUp')).snapshot;
    const result = step(noted, tooLate(null));
    assert.equal(result.snapshot.value, 'shipped');
    assert.deepEqual(result.snapshot.context.fulfilment, shipped);
  });

  it('nothing to cancel and nothing picked up (cancelled=false, no parcel) → the refund goes on', () => {
    const result = step(cancelling(), tooLate(null));
    assert.equal(result.snapshot.value, 'refundingPayment');
    assert.deepEqual(commandsSent([result]), ['RefundPayment#1/r0']);
  });

  it('cancelled=true → the refund goes on, whatever was noted', () => {
    const noted = step(cancelling(), eventOf('ShipmentPickedUp')).snapshot;
    const result = step(noted, eventOf('ShippingCancelled'));
    assert.equal(result.snapshot.value, 'refundingPayment');
    assert.equal(result.snapshot.context.cancelReason, 'customer_cancelled');
  });

  it('failed in cancellingShipping → shipped on the pickup', () => {
    const failed = run([...completed, CANCEL, DEADLINE, DEADLINE]).snapshot;
    assert.equal(failed.value, 'failed');
    assert.equal(step(failed, eventOf('ShipmentPickedUp')).snapshot.value, 'shipped');
  });
});

describe('reply check: a carrier event counts with the saga ScheduleShipping id as causation, on shipping-events', () => {
  const orderId = '00000000-0000-4000-8000-000000000037';
  const topics = { inventoryEvents: 'inv', paymentEvents: 'pay', shippingEvents: 'ship' };
  const saga = toPersisted(run(completed, start({ ...input, orderId }).snapshot).snapshot);
  const scheduleId = commandMessageId(orderId, 'ScheduleShipping', 0);

  it('accepted from shipping with the ScheduleShipping id', () => {
    for (const type of ['ShipmentPickedUp', 'ShipmentDelivered'] as const)
      assert.deepEqual(checkReply(saga, { type, topic: 'ship', causationId: scheduleId }, topics), {
        accepted: true,
      });
  });

  it('rejected: wrong topic, no causation, another command of the saga, a forged id', () => {
    const check = (topic: string, causationId: string | null) =>
      checkReply(saga, { type: 'ShipmentPickedUp', topic, causationId }, topics);
    assert.deepEqual(check('pay', scheduleId), { accepted: false, reason: 'wrong_topic' });
    assert.deepEqual(check('ship', null), { accepted: false, reason: 'no_causation_id' });
    assert.deepEqual(check('ship', commandMessageId(orderId, 'ProcessPayment', 0)), {
      accepted: false,
      reason: 'earlier_step',
    });
    assert.deepEqual(
      check('ship', commandMessageId('00000000-0000-4000-8000-000000000099', 'ScheduleShipping', 0)),
      {
        accepted: false,
        reason: 'unknown_causation',
      },
    );
  });
});
