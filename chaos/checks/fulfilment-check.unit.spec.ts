import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderRow, placedOrder } from '../../test/support/chaos-check-fixtures.ts';
import { type FulfilmentFacts, fulfilmentCheck } from './fulfilment-check.ts';
import { indexOrders } from './stored-orders.ts';

const t0 = '2026-12-07T10:00:00.000Z';
const t1 = '2026-12-07T10:00:30.000Z';

function facts(overrides: Partial<FulfilmentFacts> = {}): FulfilmentFacts {
  return {
    shipments: new Map(),
    sagaFulfilment: new Map(),
    ledger: new Map(),
    reservations: new Map(),
    ...overrides,
  };
}

describe('chaos check 5e: cancels and deliveries (pure)', () => {
  test('a sound run: a delivered order as the carrier said, a cancelled one refunded and released', () => {
    const rows = [
      orderRow(1, { state: 'delivered' }),
      orderRow(2, { status: 'CANCELLED', cancel_reason: 'customer_cancelled', state: 'cancelled' }),
    ];
    const placed = [
      placedOrder(1, 'delivered', {
        followUp: { cancel: 409, pickedUpAt: t0, deliveredAt: t1, problems: [] },
      }),
      placedOrder(2, 'cancel_completed', {
        followUp: { cancel: 200, pickedUpAt: null, deliveredAt: null, problems: [] },
      }),
    ];
    const result = fulfilmentCheck(
      indexOrders(rows, placed),
      placed,
      facts({
        shipments: new Map([
          ['order-1', { status: 'DELIVERED', pickedUpAt: t0, deliveredAt: t1 }],
          ['order-2', { status: 'CANCELLED', pickedUpAt: null, deliveredAt: null }],
        ]),
        sagaFulfilment: new Map([['order-1', { pickedUpAt: t0, deliveredAt: t1 }]]),
        ledger: new Map([['order-2', { charges: 1, refunds: 1 }]]),
        reservations: new Map([['order-2', 'RELEASED']]),
      }),
    );
    assert.deepEqual(result.violations, []);
    assert.equal(result.checked, 4);
  });

  test('finds a cancelled order refunded twice or not at all, still reserved, or picked up', () => {
    const rows = [1, 2, 3].map((n) =>
      orderRow(n, { status: 'CANCELLED', cancel_reason: 'customer_cancelled', state: 'cancelled' }),
    );
    const result = fulfilmentCheck(
      indexOrders(rows, []),
      [],
      facts({
        ledger: new Map([
          ['order-1', { charges: 1, refunds: 2 }],
          ['order-2', { charges: 1, refunds: 0 }],
        ]),
        reservations: new Map([['order-3', 'RESERVED']]),
        shipments: new Map([['order-3', { status: 'PICKED_UP', pickedUpAt: t0, deliveredAt: null }]]),
      }),
    );
    assert.deepEqual(result.violations, [
      'CANCELLED order order-1 (?): 1 charges, 2 refunds',
      'CANCELLED order order-2 (?): 1 charges, 0 refunds',
      'CANCELLED order order-3 (?): its reservation is still RESERVED',
      'CANCELLED order order-3 (?) was picked up by its carrier',
    ]);
  });

  test("finds a fulfilment that is not the shipment's, and a carrier event the order does not show", () => {
    const rows = [orderRow(1, { state: 'shipped' }), orderRow(2, { state: 'completed' })];
    const placed = [
      placedOrder(2, 'delivered', {
        followUp: { cancel: 409, pickedUpAt: t0, deliveredAt: t1, problems: ['x'] },
      }),
    ];
    const result = fulfilmentCheck(
      indexOrders(rows, placed),
      placed,
      facts({
        shipments: new Map([['order-1', { status: 'PICKED_UP', pickedUpAt: t1, deliveredAt: null }]]),
        sagaFulfilment: new Map([['order-1', { pickedUpAt: t0, deliveredAt: null }]]),
      }),
    );
    assert.deepEqual(result.violations, [
      `order order-1 (?) PICKED_UP: saga times ${t0}/null, shipment ${t1}/null`,
      'order order-2 (delivered): x',
      `order order-2 (delivered): the carrier's ${t0}/${t1} accepted, the order is completed with null/null`,
    ]);
  });
});
