/**
 * One saga whose deadline handling fails every time (its snapshot is of a newer version than the
 * code: UnsupportedSnapshotVersionError) must not delay any other saga's deadline (PostgreSQL, a
 * running sweeper): it backs off, is parked as FAILED with its error (GET /orders/:id shows both),
 * and an operator retry resumes it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createLogger } from '../../lib/logger.ts';
import { orchestratorAppOn } from '../../test/support/orchestrator-app.ts';
import { newOrderRecord, testRunner } from '../../test/support/saga-fixtures.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { bearer } from '../../test/support/tokens.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { sagaSnapshotVersion } from '../saga/snapshot-version.ts';
import { deadlineFailedKind, sagaParkedKind } from './deadline-failures.ts';
import { startDeadlineSweeper } from './deadline-sweeper.ts';
import { readSagasInFlight } from './in-flight-counter.ts';

const stepTimeoutMs = 400;
/** How late a deadline may fire on a busy test machine (the sweeper looks every 50 ms). */
const onTimeMs = 3_000;

describe('deadline sweeper isolates a saga whose deadline keeps failing (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let app: FastifyInstance;
  // The second deadline of a saga is 10 steps away: each good saga fires once during the test.
  const runner = testRunner({
    deadlinePolicy: { stepTimeoutMs, backoffMultiplier: 10, maxStepTimeoutMs: 60_000, jitterPercent: 0 },
  });

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 4 });
    app = await orchestratorAppOn(database, runner, createLogger('deadline-isolation-it', 'fatal'));
  });
  after(async () => {
    await app?.close();
    await database?.drop();
  });

  const historyOf = (orderId: string) =>
    database.db('orders.saga_history').where({ order_id: orderId }).orderBy('id').select('*');
  const create = async () => {
    const order = newOrderRecord();
    await database.units.run((unit) =>
      runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    const row = await database.db('orders.sagas').where({ order_id: order.orderId }).first('deadline_at');
    return { orderId: order.orderId, dueAt: row.deadline_at as Date };
  };
  const setVersion = (orderId: string, version: number) =>
    database
      .db('orders.sagas')
      .where({ order_id: orderId })
      .update({ snapshot: database.db.raw(`jsonb_set(snapshot, '{v}', to_jsonb(?::int))`, [version]) });

  test('the other deadlines fire on time; the bad saga backs off, is parked FAILED with its error, and a retry resumes it', async () => {
    // First in the queue: its deadline is the earliest.
    const bad = await create();
    // As if a later release had written it (and this one had been rolled back to).
    await setVersion(bad.orderId, sagaSnapshotVersion + 1);
    const good: Array<{ orderId: string; dueAt: Date }> = [];
    for (let i = 0; i < 10; i++) good.push(await create());

    const sweeper = startDeadlineSweeper({
      units: database.units,
      runner,
      clock: () => new Date(),
      logger: pino({ level: 'silent' }),
      intervalMs: 50,
      failurePolicy: { maxFailures: 3, backoffMs: 200, maxBackoffMs: 1_000 },
    });
    try {
      const fired = await waitFor(
        'every good saga to have fired its first deadline',
        async () => {
          const rows = await database
            .db('orders.saga_history')
            .whereIn(
              'order_id',
              good.map((g) => g.orderId),
            )
            .where({ kind: 'deadline_passed' })
            .select('order_id', 'at');
          return rows.length >= good.length ? rows : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      for (const { orderId, dueAt } of good) {
        const row = fired.find((r) => r.order_id === orderId);
        assert.ok(row, `deadline of ${orderId} fired`);
        const lateMs = (row.at as Date).getTime() - dueAt.getTime();
        assert.ok(
          lateMs >= 0 && lateMs < onTimeMs,
          `deadline of ${orderId} fired ${lateMs} ms after it was due`,
        );
      }

      const parked = await waitFor(
        'the bad saga to be parked',
        async () => {
          const rows = await historyOf(bad.orderId);
          return rows.some((r) => r.kind === sagaParkedKind) ? rows : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      const failures = parked.filter((r) => r.kind === deadlineFailedKind);
      assert.deepEqual(
        failures.map((r) => r.detail.failures),
        [1, 2],
        'two failures backed off before the third parked it',
      );
      const parkedRow = parked.find((r) => r.kind === sagaParkedKind);
      assert.equal(parkedRow.detail.failures, 3);
      assert.equal(parkedRow.detail.error.name, 'UnsupportedSnapshotVersionError');
      assert.match(parkedRow.detail.error.message, /newer than this code/);
      const firstFailureAt = (failures[0].at as Date).getTime();
      for (const row of fired)
        assert.ok(
          (row.at as Date).getTime() < (parkedRow.at as Date).getTime(),
          'no good deadline waited for the bad saga to be parked',
        );
      assert.ok(
        (failures[1].at as Date).getTime() - firstFailureAt >= 200,
        'the second try came after the backoff',
      );

      // What an operator sees.
      const view = await app.inject({
        method: 'GET',
        url: `/orders/${bad.orderId}`,
        headers: bearer('operator'),
      });
      assert.equal(view.statusCode, 200);
      const order = view.json();
      assert.equal(order.status, 'FAILED');
      assert.equal(order.saga.deadlineAt, null);
      const shown = order.saga.history.find((h: { kind: string }) => h.kind === sagaParkedKind);
      assert.match(shown.detail.error.message, /saga snapshot of order .* has version/);
      const pending = await database
        .db('orders.orders')
        .where({ status: 'PENDING' })
        .count<{ n: string }[]>({ n: '*' });
      assert.equal(
        await readSagasInFlight(database.db),
        Number(pending[0]?.n),
        'in-flight counter follows the parking',
      );

      // A cancel waits for the operator too.
      const cancel = await app.inject({
        method: 'POST',
        url: `/orders/${bad.orderId}/cancel`,
        headers: { 'x-request-id': randomUUID(), ...bearer('operator') },
      });
      assert.equal(cancel.statusCode, 409, cancel.body);
      assert.match(cancel.json().message, /parked/);

      // The operator rolls forward (here: the row made readable) and retries: the sweeper fires the deadline at once.
      await setVersion(bad.orderId, sagaSnapshotVersion);
      const retried = await app.inject({
        method: 'POST',
        url: `/orders/${bad.orderId}/retry`,
        headers: { 'x-request-id': randomUUID(), ...bearer('operator') },
      });
      assert.equal(retried.statusCode, 202, retried.body);
      const resumed = await waitFor(
        'the resumed saga to fire its deadline',
        async () => {
          const rows = await historyOf(bad.orderId);
          return rows.find((r) => r.kind === 'deadline_passed');
        },
        { timeoutMs: 15_000, intervalMs: 50 },
      );
      assert.equal(resumed.detail.attempt, 1);
      const after = await database.db('orders.orders').where({ order_id: bad.orderId }).first('status');
      assert.equal(after.status, 'PENDING');
    } finally {
      await sweeper.stop();
    }
    const pending = await database
      .db('orders.orders')
      .where({ status: 'PENDING' })
      .count<{ n: string }[]>({ n: '*' });
    assert.equal(await readSagasInFlight(database.db), Number(pending[0]?.n));
  });
});
