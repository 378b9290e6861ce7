import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderRow, placedOrder, storedOrders } from '../../test/support/chaos-check-fixtures.ts';
import { aggregate, reservationCheck, stockConservationCheck } from './stock-checks.ts';

describe('chaos checks 2–2b: stock (pure)', () => {
  test('aggregate: quantities per SKU, sorted, whatever the lines', () => {
    assert.equal(
      aggregate([
        { sku: 'B', quantity: 1 },
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 3 },
      ]),
      aggregate([
        { sku: 'A', quantity: 2 },
        { sku: 'B', quantity: 4 },
      ]),
    );
    assert.equal(aggregate([{ sku: 'A', quantity: 2 }]), '[["A",2]]');
  });

  test('2: available + held = seeded per SKU; "no stock moved" when nothing did', () => {
    const still = stockConservationCheck([{ sku: 'A', available: 5, seeded: 5, held: 0 }]);
    assert.deepEqual([still.violations, still.notes], [[], ['no stock moved']]);
    const moved = stockConservationCheck([
      { sku: 'A', available: 3, seeded: 5, held: 2 },
      { sku: 'B', available: 3, seeded: 5, held: 1 },
    ]);
    assert.equal(moved.checked, 2);
    assert.deepEqual(moved.notes, []);
    assert.deepEqual(moved.violations, ['B: available 3 + reserved 1 = 4, seeded 5']);
  });

  test('2b: COMPLETED holds exactly its lines, CANCELLED nothing, no reservation without an order', () => {
    const placed = [placedOrder(3, 'declined')];
    const orders = storedOrders(
      [
        orderRow(1),
        orderRow(2),
        orderRow(3, { status: 'CANCELLED', state: 'cancelled' }),
        orderRow(4),
        orderRow(5, { status: 'CANCELLED', state: 'cancelled' }),
        orderRow(6),
      ],
      placed,
    );
    const held = [{ sku: 'SKU-A', quantity: 1 }];
    const result = reservationCheck(orders, [
      { order_id: 'order-1', status: 'RESERVED', items: held },
      { order_id: 'order-2', status: 'RESERVED', items: [{ sku: 'SKU-A', quantity: 2 }] },
      { order_id: 'order-3', status: 'RESERVED', items: held },
      { order_id: 'order-5', status: 'RELEASED', items: held },
      { order_id: 'order-6', status: 'RELEASED', items: held },
      { order_id: 'order-9', status: 'RELEASED', items: held },
    ]);
    assert.equal(result.checked, 6);
    assert.deepEqual(result.violations, [
      'COMPLETED order order-2 reserved [["SKU-A",2]], ordered [["SKU-A",1]]',
      'CANCELLED order order-3 (declined) still holds [["SKU-A",1]]',
      'COMPLETED order order-4 has reservation none',
      'COMPLETED order order-6 has reservation RELEASED',
      'reservation for unknown order order-9 (RELEASED)',
    ]);
  });
});
