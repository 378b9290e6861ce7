import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderRow, storedOrders } from '../../test/support/chaos-check-fixtures.ts';
import { effectsCheck, outboxCheck } from './effect-checks.ts';

describe('chaos checks 4–5a: what the services left behind (pure)', () => {
  test('4: every outbox empty', () => {
    const result = outboxCheck([
      { schema: 'orders', rows: 0 },
      { schema: 'payment', rows: 3 },
    ]);
    assert.equal(result.checked, 2);
    assert.deepEqual(result.violations, ['payment.outbox still holds 3 rows']);
  });

  test('5a: one effect row per order; COMPLETED scheduled and charged, CANCELLED neither', () => {
    const orders = storedOrders([
      orderRow(1),
      orderRow(2),
      orderRow(3, { status: 'CANCELLED', state: 'cancelled' }),
      orderRow(4, { status: 'CANCELLED', state: 'cancelled' }),
    ]);
    const result = effectsCheck(orders, {
      duplicates: [{ table: 'shipping.shipments', order_id: 'order-1', n: 2 }],
      ledgerDuplicates: [{ order_id: 'order-1', kind: 'charge', n: 2 }],
      shipmentOf: new Map([
        ['order-1', 'SCHEDULED'],
        ['order-3', 'SCHEDULED'],
        ['order-4', 'CANCELLED'],
      ]),
      paymentOf: new Map([
        ['order-1', 'CHARGED'],
        ['order-2', 'REFUNDED'],
        ['order-3', 'CHARGED'],
        ['order-4', 'REFUNDED'],
      ]),
    });
    assert.equal(result.checked, 4);
    assert.deepEqual(result.violations, [
      'shipping.shipments: 2 rows for order order-1',
      'payment.ledger: 2 charge rows for order order-1',
      'COMPLETED order order-2 (completed) has shipment none, not SCHEDULED',
      'COMPLETED order order-2 has payment REFUNDED',
      'CANCELLED order order-3 still has a SCHEDULED shipment',
      'CANCELLED order order-3 still has a CHARGED payment',
    ]);
  });
});
