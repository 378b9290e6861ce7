import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { createLogger } from '../../lib/logger.ts';
import { jsonAuditTrail } from '../../test/support/json-audit-trail.ts';
import {
  eventOfType,
  newOrderRecord,
  runnerWithLongDeadlines,
  twoInstancesOnOneDatabase,
} from '../../test/support/saga-fixtures.ts';
import { bearer, testAuthConfig } from '../../test/support/tokens.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { buildOrchestratorApp } from '../http/app.ts';
import { readSagasInFlight, recountSagasInFlight } from '../runner/in-flight-counter.ts';
import type { SagaEventInput } from '../runner/saga-runner.ts';
import type { SagaEvent } from '../saga/saga-types.ts';
import { InFlightAdmission } from './admission.ts';
import { OrderService } from './order-service.ts';

const runner = runnerWithLongDeadlines;
const reply = (orderId: string, type: SagaEvent['type']): SagaEventInput => ({
  orderId,
  event: eventOfType(type),
  cause: { kind: 'reply', type, messageId: randomUUID(), detail: {} },
});
const logger = createLogger('admission-it', 'warn');

describe('sagas in flight and admission control (PostgreSQL)', () => {
  const instances = twoInstancesOnOneDatabase();
  const pendingOrders = async (): Promise<number> => {
    const [row] = await instances.database.db('orders.orders').where({ status: 'PENDING' }).count({ n: '*' });
    return Number(row?.n);
  };

  test('the counter follows sagas as they start and end, with transactions on two instances at once', async () => {
    const base = await readSagasInFlight(instances.database.db);
    assert.equal(base, await pendingOrders());
    const orders = Array.from({ length: 40 }, newOrderRecord);
    const pools = [instances.database.units, instances.secondPool];
    // 40 sagas created in 8 transactions, alternating between the two instances, all at once.
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        pools[i % 2]?.run((unit) =>
          runner().createSagas(
            unit,
            orders
              .slice(i * 5, i * 5 + 5)
              .map((order) => ({ order, idempotencyKey: null, fingerprint: null })),
          ),
        ),
      ),
    );
    assert.equal(await readSagasInFlight(instances.database.db), base + 40);

    // 10 rejected (CANCELLED), 10 completed, 10 half-way; replies in batches on both instances at once.
    const ids = orders.map((o) => o.orderId);
    const rejected = ids.slice(0, 10).map((id) => reply(id, 'StockRejected'));
    const reserved = ids.slice(10, 30).map((id) => reply(id, 'StockReserved'));
    await Promise.all([
      instances.database.units.run((unit) => runner().applyEvents(unit, rejected)),
      instances.secondPool.run((unit) => runner().applyEvents(unit, reserved)),
    ]);
    assert.equal(await readSagasInFlight(instances.database.db), base + 30, 'the 10 cancelled sagas ended');
    const finishing = ids.slice(10, 20);
    await instances.database.units.run((unit) =>
      runner().applyEvents(unit, [
        ...finishing.map((id) => reply(id, 'PaymentSucceeded')),
        ...finishing.map((id) => reply(id, 'ShippingScheduled')),
        // An event the saga ignores (a duplicate reply) changes nothing.
        reply(ids[25] as string, 'StockReserved'),
      ]),
    );
    assert.equal(await readSagasInFlight(instances.database.db), base + 20, 'the 10 completed sagas ended');
    assert.equal(
      await readSagasInFlight(instances.database.db),
      await pendingOrders(),
      'equals PENDING orders',
    );
  });

  test('a recount repairs a drifted counter, also while sagas are created and ended', async () => {
    const { db } = instances.database;
    await db('orders.sagas_in_flight').where({ slot: 3 }).increment('sagas', 7);
    const drifted = await readSagasInFlight(db);
    const pending = await pendingOrders();
    assert.equal(drifted, pending + 7);
    assert.deepEqual(await recountSagasInFlight(db), { before: drifted, after: pending });
    assert.equal(await readSagasInFlight(db), pending);

    // Recounts racing with creations and replies on two instances leave the counter right.
    const orders = Array.from({ length: 30 }, newOrderRecord);
    const create = (pool: typeof instances.secondPool, batch: typeof orders) =>
      pool.run((unit) =>
        runner().createSagas(
          unit,
          batch.map((order) => ({ order, idempotencyKey: null, fingerprint: null })),
        ),
      );
    await Promise.all([
      create(instances.database.units, orders.slice(0, 10)),
      recountSagasInFlight(db),
      create(instances.secondPool, orders.slice(10, 20)),
      recountSagasInFlight(db),
      create(instances.database.units, orders.slice(20, 30)),
    ]);
    await Promise.all([
      instances.secondPool.run((unit) =>
        runner().applyEvents(
          unit,
          orders.slice(0, 15).map((o) => reply(o.orderId, 'StockRejected')),
        ),
      ),
      recountSagasInFlight(db),
    ]);
    assert.equal(await readSagasInFlight(db), await pendingOrders());
  });

  test('POST /orders answers 429 with Retry-After at the limit, and admits again once sagas end', async () => {
    const limit = (await readSagasInFlight(instances.database.db)) + 2;
    const admission = await InFlightAdmission.start({
      limit,
      readSagasInFlight: () => readSagasInFlight(instances.database.db),
      logger,
      refreshIntervalMs: 20,
    });
    const sagaRunner = runner();
    const app = await buildOrchestratorApp({
      db: instances.database.db,
      logger,
      auth: testAuthConfig(),
      orders: new OrderService({
        db: instances.database.db,
        units: instances.database.units,
        runner: sagaRunner,
        audit: jsonAuditTrail('orchestrator', 'orders', instances.database.units),
        newId: randomUUID,
        clock: () => new Date(),
        admission,
      }),
    });
    try {
      const body = {
        customerId: 'c-admission',
        items: [{ sku: 'SKU-001', quantity: 1, unitPrice: 100 }],
        currency: 'EUR',
        paymentToken: 'tok_visa',
        shippingAddress: { name: 'A', line1: 'l', city: 'c', postalCode: 'p', country: 'DE' },
      };
      const customer = bearer('customer', body.customerId);
      const post = (headers: Record<string, string> = {}) =>
        app.inject({ method: 'POST', url: '/orders', payload: body, headers: { ...customer, ...headers } });
      // A read that began between a creation's commit and its settling counts it twice until the
      // next read (the estimate errs high by design): after each order (settled when its POST was
      // answered), wait for a read that began after it, then the estimate is exact.
      const estimateSettlesAt = async (n: number) => {
        const begun = admission.reads.begun;
        await waitFor(
          `a read of the counter begun after read ${begun}`,
          () => (admission.reads.ended > begun ? true : undefined),
          { timeoutMs: 5_000, intervalMs: 5 },
        );
        assert.equal(admission.sagasInFlight, n, `the estimate after a fresh read`);
      };
      const first = await post({ 'idempotency-key': 'admission-first' });
      await estimateSettlesAt(limit - 1);
      const second = await post();
      assert.deepEqual([first.statusCode, second.statusCode], [202, 202]);
      await estimateSettlesAt(limit);

      const refused = await post();
      assert.equal(refused.statusCode, 429);
      assert.equal(refused.headers['retry-after'], '1');
      assert.match(refused.json().message, new RegExp(`${limit} sagas are in flight \\(limit ${limit}`));
      const status = await app.inject({ method: 'GET', url: '/admission', headers: bearer('operator') });
      assert.deepEqual(status.json(), { limit, sagasInFlight: limit, admitting: false, refused: 1 });
      // Refused before the body is read: even an invalid one gets 429 (and 400 on its retry).
      const invalid = await app.inject({
        method: 'POST',
        url: '/orders',
        payload: { customerId: 7 },
        headers: customer,
      });
      assert.equal(invalid.statusCode, 429);
      const keyedInvalid = await app.inject({
        method: 'POST',
        url: '/orders',
        payload: { customerId: 7 },
        headers: { ...customer, 'idempotency-key': 'admission-invalid' },
      });
      assert.equal(keyedInvalid.statusCode, 400, 'a request with a key is validated and looked up first');
      // A retry of an accepted request is still answered: it adds no saga.
      const replayed = await post({ 'idempotency-key': 'admission-first' });
      assert.equal(replayed.statusCode, 202);
      assert.equal(replayed.json().orderId, first.json().orderId);

      // One saga ends (out of stock): after the next read of the counter, a new order is admitted.
      await instances.database.units.run((unit) =>
        sagaRunner.applyEvents(unit, [reply(first.json().orderId, 'StockRejected')]),
      );
      await waitFor('an order admitted', async () => ((await post()).statusCode === 202 ? true : undefined), {
        timeoutMs: 5_000,
        intervalMs: 20,
      });
      assert.equal((await post()).statusCode, 429, 'and the limit holds again');
    } finally {
      admission.stop();
      await app.close();
    }
  });
});
