import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderRow, placedOrder, storedOrders } from '../../test/support/chaos-check-fixtures.ts';
import {
  acknowledgedOrdersCheck,
  noFailedSagaCheck,
  sagasInFlightCheck,
  terminalOrdersCheck,
} from './order-checks.ts';

describe('chaos checks 0–1c: orders and sagas (pure)', () => {
  test('0: every acknowledged order stored once under its key, no stray order; retried POSTs are a note', () => {
    const placed = [placedOrder(1, 'happy', { attempts: 3 }), placedOrder(2, 'declined')];
    const clean = acknowledgedOrdersCheck(placed, storedOrders([orderRow(1), orderRow(2)], placed));
    assert.deepEqual(clean.violations, []);
    assert.equal(clean.checked, 2);
    assert.deepEqual(clean.notes, ['1 POSTs needed more than one attempt (same Idempotency-Key)']);

    const broken = [
      placedOrder(1, 'happy', { orderIds: new Set(['order-1', 'order-9']) }),
      placedOrder(2, 'declined', { orderIds: new Set(), gaveUp: 'no 202 within 120000 ms' }),
      placedOrder(3, 'happy'),
    ];
    const rows = [orderRow(1), orderRow(3, { idempotency_key: 'key-other' }), orderRow(4)];
    assert.deepEqual(acknowledgedOrdersCheck(broken, storedOrders(rows, broken)).violations, [
      'key key-1 answered with 2 different order ids: order-1, order-9',
      'order order-9 (#1, happy) was acknowledged (202) but is not in orders.orders',
      'order #2 (declined, key key-2) never acknowledged: no 202 within 120000 ms',
      'order order-3 was acknowledged for key key-3 but stored with key key-other',
      'order order-3 in the database was never placed by this run (key key-other)',
      'order order-4 in the database was never placed by this run (key key-4)',
    ]);
  });

  test('1: every order terminal, its status its saga state’s', () => {
    const placed = [placedOrder(1, 'happy')];
    const rows = [
      orderRow(1, { status: 'PENDING', state: 'processingPayment' }),
      orderRow(2, { status: 'CANCELLED', state: 'completed' }),
      orderRow(3, { status: 'CANCELLED', state: 'cancelled' }),
    ];
    const result = terminalOrdersCheck(storedOrders(rows, placed));
    assert.equal(result.checked, 3);
    assert.deepEqual(result.violations, [
      'order order-1 (happy) is PENDING, saga in processingPayment',
      'order order-2 is CANCELLED but its saga is in completed',
    ]);
  });

  test("1b: any FAILED saga left is a violation (the compensation faults' are retried)", () => {
    const rows = [orderRow(1), orderRow(2, { status: 'FAILED', state: 'failed' })];
    assert.deepEqual(noFailedSagaCheck(storedOrders(rows)).violations, [
      'order order-2 (?) FAILED in failed',
    ]);
  });

  test('1c: the in-flight counter equals the PENDING orders', () => {
    const orders = storedOrders([orderRow(1), orderRow(2, { status: 'PENDING', state: 'reservingStock' })]);
    assert.deepEqual(sagasInFlightCheck(orders, 1).violations, []);
    assert.deepEqual(sagasInFlightCheck(orders, 0).violations, [
      'orders.sagas_in_flight sums to 0; 1 orders are PENDING',
    ]);
  });
});
