import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderRow, storedOrders } from '../../test/support/chaos-check-fixtures.ts';
import { type OrderEventSeen, orderEventsCheck, orderSequenceViolations } from './order-event-checks.ts';

let ids = 0;
const event = (
  type: string,
  from: string | null = null,
  to: string | null = null,
  orderId = 'order-1',
): OrderEventSeen => ({
  messageId: `m-${++ids}`,
  type,
  orderId,
  partition: 0,
  from,
  to,
});
const change = (from: string, to: string) => event('OrderStatusChanged', from, to);
const completedRun = (): OrderEventSeen[] => [
  event('OrderPlaced'),
  change('reservingStock', 'processingPayment'),
  change('processingPayment', 'schedulingShipping'),
  change('schedulingShipping', 'completed'),
  event('OrderCompleted'),
];
const completed = { status: 'COMPLETED', state: 'completed' };

describe('chaos check 8: per-key order on order-events (pure)', () => {
  test('a valid sequence passes; a re-published copy (same message id) counts once', () => {
    const events = completedRun();
    assert.deepEqual(orderSequenceViolations('order-1', events, completed), []);
    const withCopy = [...events.slice(0, 3), events[1] as OrderEventSeen, ...events.slice(3)];
    assert.deepEqual(orderSequenceViolations('order-1', withCopy, completed), []);
  });

  test('out of order, a missing step, a second OrderPlaced, a wrong end are violations', () => {
    const [placed, a, b, c, done] = completedRun() as [
      OrderEventSeen,
      OrderEventSeen,
      OrderEventSeen,
      OrderEventSeen,
      OrderEventSeen,
    ];
    assert.deepEqual(orderSequenceViolations('order-1', [placed, b, a, c, done], completed), [
      'order order-1: OrderStatusChanged processingPayment → schedulingShipping after the saga entered reservingStock',
      'order order-1: OrderStatusChanged reservingStock → processingPayment after the saga entered schedulingShipping',
      'order order-1: OrderStatusChanged schedulingShipping → completed after the saga entered processingPayment',
    ]);
    assert.deepEqual(orderSequenceViolations('order-1', [placed, a, c, done], completed), [
      'order order-1: OrderStatusChanged schedulingShipping → completed after the saga entered processingPayment',
    ]);
    assert.deepEqual(
      orderSequenceViolations('order-1', [a, placed, b, c, done, event('OrderPlaced')], completed),
      ['order order-1: first event OrderStatusChanged, not OrderPlaced', 'order order-1: 2 OrderPlaced'],
    );
    assert.deepEqual(
      orderSequenceViolations('order-1', [placed, a, b, c, done], {
        status: 'CANCELLED',
        state: 'cancelled',
      }),
      [
        'order order-1: the events end in completed, the saga is in cancelled',
        'order order-1: last lifecycle event OrderCompleted, stored status CANCELLED',
      ],
    );
  });

  test('FAILED, then the operator retry: OrderFailed, then OrderCancelled last', () => {
    const events = [
      event('OrderPlaced'),
      change('reservingStock', 'compensating'),
      change('compensating', 'failed'),
      event('OrderFailed'),
      change('failed', 'compensating'),
      change('compensating', 'cancelled'),
      event('OrderCancelled'),
    ];
    assert.deepEqual(
      orderSequenceViolations('order-1', events, { status: 'CANCELLED', state: 'cancelled' }),
      [],
    );
  });

  test('per order: events of unknown keys, an order without events, another partition or order-id header', () => {
    const orders = storedOrders([orderRow(1), orderRow(2)]);
    const stray = { ...event('OrderPlaced', null, null, 'order-9') };
    const moved = { ...completedRun()[4], partition: 3 } as OrderEventSeen;
    const result = orderEventsCheck(
      orders,
      new Map([
        ['order-1', [...completedRun().slice(0, 4), moved]],
        ['order-9', [stray]],
      ]),
    );
    assert.equal(result.checked, 2);
    assert.deepEqual(result.violations, [
      '1 events on key order-9, no such order',
      'order order-1: events on partitions 0, 3',
      'order order-2: first event none, not OrderPlaced',
      'order order-2: 0 OrderPlaced',
      'order order-2: the events end in reservingStock, the saga is in completed',
      'order order-2: last lifecycle event none, stored status COMPLETED',
    ]);
  });
});
