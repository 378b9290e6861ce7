import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { newOrderRecord, testRunner, twoInstancesOnOneDatabase } from '../../test/support/saga-fixtures.ts';
import { commandMessageId } from '../saga/command-ids.ts';
import { startDeadlineSweeper } from './deadline-sweeper.ts';

const silent = pino({ level: 'silent' });
const stepTimeoutMs = 5_000;

const runnerAt = (clock: () => Date) =>
  testRunner({
    clock,
    deadlinePolicy: { stepTimeoutMs, backoffMultiplier: 2, maxStepTimeoutMs: 60_000, jitterPercent: 0 },
  });
const order = newOrderRecord;

describe('durable step deadlines (PostgreSQL)', () => {
  const instances = twoInstancesOnOneDatabase();

  const reserveSends = (orderId: string) =>
    instances.database
      .db('orders.saga_history')
      .where({ order_id: orderId, kind: 'command_sent', type: 'ReserveStock' })
      .orderBy('id');

  test('a deadline fires after a restart that happened before it was due', async () => {
    const t0 = new Date(Date.now() - 60_000);
    const saga = order();
    // Instance A places the order at t0 and is gone before the deadline (t0 + 5 s) is due: nothing of
    // it survives but the database.
    await instances.database.units.run((unit) =>
      runnerAt(() => t0).createSagas(unit, [{ order: saga, idempotencyKey: null, fingerprint: null }]),
    );
    const row = await instances.database
      .db('orders.sagas')
      .where({ order_id: saga.orderId })
      .first('deadline_at');
    assert.equal((row.deadline_at as Date).getTime(), t0.getTime() + stepTimeoutMs);

    // Instance B starts later, with a fresh process state, and sweeps.
    const now = () => new Date(t0.getTime() + stepTimeoutMs + 1);
    const sweeper = startDeadlineSweeper({
      units: instances.secondPool,
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
    const rearmed = await instances.database
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
      await instances.database.units.run((unit) =>
        runnerAt(() => t0).createSagas(unit, [{ order: saga, idempotencyKey: null, fingerprint: null }]),
      );
    }
    const now = () => new Date(t0.getTime() + stepTimeoutMs + 1);
    const a = startDeadlineSweeper({
      units: instances.database.units,
      runner: runnerAt(now),
      clock: now,
      logger: silent,
      intervalMs: 60_000,
    });
    const b = startDeadlineSweeper({
      units: instances.secondPool,
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
      const passed = await instances.database
        .db('orders.saga_history')
        .where({ order_id: saga.orderId, kind: 'deadline_passed' });
      assert.equal(passed.length, 1, `deadline of ${saga.orderId} fired once`);
    }
  });
});
