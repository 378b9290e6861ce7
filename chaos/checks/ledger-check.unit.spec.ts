import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderRow, storedOrders } from '../../test/support/chaos-check-fixtures.ts';
import { ledgerCheck } from './ledger-check.ts';

const prices = new Map([['SKU-A', 1000]]);
const charge = (orderId: string, charged: number | string, refunded: number | string = 0, refunds = 0) => ({
  order_id: orderId,
  charges: 1,
  refunds,
  charged,
  refunded,
});

describe('chaos check 3: ledger (pure)', () => {
  test('COMPLETED: charged − refunded = the order total = the catalog total; bigint sums arrive as strings', () => {
    const orders = storedOrders([orderRow(1)]);
    assert.deepEqual(ledgerCheck(orders, { prices, ledger: [charge('order-1', '1000')] }).violations, []);
    assert.deepEqual(ledgerCheck(orders, { prices, ledger: [] }).violations, [
      'COMPLETED order order-1 (?): charged 0 − refunded 0 = 0, expected 1000',
    ]);
    const mispriced = storedOrders([orderRow(1, { total: 900 })]);
    assert.deepEqual(ledgerCheck(mispriced, { prices, ledger: [charge('order-1', '900')] }).violations, [
      'COMPLETED order order-1: total 900, catalog total 1000',
    ]);
  });

  test('CANCELLED nets 0; more than one charge or refund is a violation', () => {
    const orders = storedOrders([
      orderRow(1, { status: 'CANCELLED', state: 'cancelled' }),
      orderRow(2, { status: 'CANCELLED', state: 'cancelled' }),
      orderRow(3, { status: 'FAILED', state: 'failed' }),
    ]);
    const result = ledgerCheck(orders, {
      prices,
      ledger: [
        charge('order-1', '1000', '1000', 1),
        { ...charge('order-2', '2000', '1000', 2), charges: 2 },
        charge('order-3', '1000'),
        charge('order-9', '5'),
      ],
    });
    assert.equal(result.checked, 3);
    assert.deepEqual(result.violations, [
      'order order-2: 2 charges',
      'order order-2: 2 refunds',
      'CANCELLED order order-2 (?): charged 2000 − refunded 1000 = 1000, expected 0',
      'ledger rows for unknown order order-9',
    ]);
  });

  test('FAILED holds its charge whole or nothing: 0 or the catalog total, never a part', () => {
    const failed = (n: number) => orderRow(n, { status: 'FAILED', state: 'failed' });
    const orders = storedOrders([failed(1), failed(2), failed(3), failed(4)]);
    const result = ledgerCheck(orders, {
      prices,
      ledger: [
        charge('order-1', '1000'),
        charge('order-2', '1000', '1000', 1),
        charge('order-3', '1000', '400', 1),
      ],
    });
    assert.deepEqual(result.violations, [
      'FAILED order order-3 (?): charged 1000 − refunded 400 = 600, expected 0 or the catalog total 1000',
    ]);
  });
});
