import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { createDatabase, type Knex } from '../../lib/db/database.ts';
import { jsonOutbox } from '../../test/support/json-outbox.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { startDeadlineSweeper } from './deadline-sweeper.ts';
import type { OrderRecord } from './order-record.ts';
import { commandMessageId } from './saga-effects.ts';
import { SagaRunner } from './saga-runner.ts';

const silent = pino({ level: 'silent' });
const stepTimeoutMs = 5_000;

const runnerAt = (clock: () => Date) =>
  new SagaRunner({
    outbox: jsonOutbox('orders'),
    clock,
    newId: randomUUID,
    random: () => 0,
    retryPolicy: { forwardAttempts: 3, compensationAttempts: 3 },
    deadlinePolicy: { stepTimeoutMs, backoffMultiplier: 2, maxStepTimeoutMs: 60_000, jitterPercent: 0 },
  });

const order = (): OrderRecord => ({
  orderId: randomUUID(),
  customerId: 'c-it',
  items: [{ sku: 'SKU-001', quantity: 1, unitPrice: 500 }],
  total: 500,
  currency: 'EUR',
  paymentToken: 'tok_visa',
  shippingAddress: { name: 'A', line1: 'l', line2: null, city: 'c', postalCode: 'p', country: 'DE' },
  correlationId: randomUUID(),
});

describe('durable step deadlines (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let otherInstancePool: Knex;
  before(async () => {
    database = await createThrowawayDatabase();
    otherInstancePool = createDatabase(database.url, { poolMax: 5 });
  });
  after(async () => {
    await otherInstancePool.destroy();
    await database.drop();
  });

  const reserveSends = (orderId: string) =>
    database
      .db('orders.saga_history')
      .where({ order_id: orderId, kind: 'command_sent', type: 'ReserveStock' })
      .orderBy('id');

  test('a deadline fires after a restart that happened before it was due', async () => {
    const t0 = new Date(Date.now() - 60_000);
    const saga = order();
    // Instance A places the order at t0 and is gone before the deadline (t0 + 5 s) is due: nothing of
    // it survives but the database.
    await database.db.transaction((trx) =>
      runnerAt(() => t0).createSagas(trx, [{ order: saga, idempotencyKey: null, fingerprint: null }]),
    );
    const row = await database.db('orders.sagas').where({ order_id: saga.orderId }).first('deadline_at');
    assert.equal((row.deadline_at as Date).getTime(), t0.getTime() + stepTimeoutMs);

    // Instance B starts later, with a fresh process state, and sweeps.
    const now = () => new Date(t0.getTime() + stepTimeoutMs + 1);
    const sweeper = startDeadlineSweeper({
      db: otherInstancePool,
      runner: runnerAt(now),
      clock: now,
      logger: silent,
      intervalMs: 60_000,
    });
    try {
      await sweeper.sweepOnce(); // the loop's first sweep may already have fired it; this one finds nothing new
    } finally {
      await sweeper.stop();
    }
    const sends = await reserveSends(saga.orderId);
    assert.deepEqual(
      sends.map((s) => s.detail.attempt),
      [1, 2],
      'the command was re-sent as attempt 2',
    );
    const expectedId = commandMessageId(saga.orderId, 'ReserveStock', 0);
    assert.ok(
      sends.every((s) => s.message_id === expectedId),
      "the re-send carries the first send's message id",
    );
    const rearmed = await database
      .db('orders.sagas')
      .where({ order_id: saga.orderId })
      .first('deadline_at', 'state');
    assert.equal(rearmed.state, 'reservingStock');
    assert.equal(
      (rearmed.deadline_at as Date).getTime(),
      now().getTime() + stepTimeoutMs * 2,
      'backoff doubles the next deadline',
    );
  });

  test('two instances sweeping at the same time fire each due deadline once', async () => {
    const t0 = new Date(Date.now() - 60_000);
    const sagas = Array.from({ length: 20 }, order);
    for (const saga of sagas) {
      await database.db.transaction((trx) =>
        runnerAt(() => t0).createSagas(trx, [{ order: saga, idempotencyKey: null, fingerprint: null }]),
      );
    }
    const now = () => new Date(t0.getTime() + stepTimeoutMs + 1);
    const a = startDeadlineSweeper({
      db: database.db,
      runner: runnerAt(now),
      clock: now,
      logger: silent,
      intervalMs: 60_000,
    });
    const b = startDeadlineSweeper({
      db: otherInstancePool,
      runner: runnerAt(now),
      clock: now,
      logger: silent,
      intervalMs: 60_000,
    });
    try {
      await Promise.all([a.sweepOnce(), b.sweepOnce(), a.sweepOnce(), b.sweepOnce()]);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    for (const saga of sagas) {
      const passed = await database
        .db('orders.saga_history')
        .where({ order_id: saga.orderId, kind: 'deadline_passed' });
      assert.equal(passed.length, 1, `deadline of ${saga.orderId} fired once`);
    }
  });
});
