import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import { jsonAuditTrail } from '../../test/support/json-audit-trail.ts';
import { runnerWithLongDeadlines } from '../../test/support/saga-fixtures.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { OrderService, type PlaceOrderRequest } from './order-service.ts';

const request = (n: number): PlaceOrderRequest => ({
  customerId: `c-creation-${n}`,
  items: [{ sku: 'SKU-001', quantity: 1, unitPrice: 100 }],
  currency: 'EUR',
  paymentToken: 'tok_visa',
  shippingAddress: { name: 'A', line1: 'l', city: 'c', postalCode: 'p', country: 'DE' },
});

describe('placing orders (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createThrowawayDatabase();
  });
  after(async () => {
    await database.drop();
  });

  test('orders placed while a creation commits wait for it and share the next transaction', async () => {
    // The units of work of the real database, with the first creation held until every order is placed.
    let releaseFirst = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let started = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const units: UnitOfWorkRunner = {
      run: async (work) => {
        started += 1;
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          if (started === 1) await firstHeld;
          return await database.units.run(work);
        } finally {
          inFlight -= 1;
        }
      },
      close: () => database.units.close(),
    };
    const runner = runnerWithLongDeadlines();
    const ordersPerTransaction: number[] = [];
    const createSagas = runner.createSagas.bind(runner);
    runner.createSagas = (unit, sagas) => {
      ordersPerTransaction.push(sagas.length);
      return createSagas(unit, sagas);
    };
    const orders = new OrderService({
      db: database.db,
      units,
      runner,
      audit: jsonAuditTrail('orchestrator', 'orders', database.units),
      newId: timeOrderedIds(),
      clock: () => new Date(),
    });

    const placed = Array.from({ length: 30 }, (_, n) => orders.place(request(n), { idempotencyKey: null }));
    releaseFirst();
    const results = await Promise.all(placed);

    assert.deepEqual(
      results.map((r) => r.kind),
      results.map(() => 'created'),
    );
    assert.equal(mostInFlight, 1, 'one creation transaction at a time');
    assert.deepEqual(ordersPerTransaction, [1, 29], 'the first order alone, the 29 that waited together');
    const ids = results.map((r) => (r.kind === 'created' ? r.orderId : ''));
    const [row] = await database.db('orders.orders').whereIn('order_id', ids).count({ n: '*' });
    assert.equal(Number(row?.n), 30);
    const [sagas] = await database.db('orders.sagas').whereIn('order_id', ids).count({ n: '*' });
    assert.equal(Number(sagas?.n), 30);
  });
});
