import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { startPruner } from '../../lib/maintenance/pruner.ts';
import { newOrderRecord, runnerWithLongDeadlines } from '../../test/support/saga-fixtures.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { getOrder } from '../orders/order-queries.ts';
import type { OrderStatus } from '../saga/saga-types.ts';
import { historyPruneTask } from './history-pruner.ts';

const silent = pino({ level: 'silent' });
const dayMs = 86_400_000;
const retentionMs = 30 * dayMs;
const now = new Date('2026-12-07T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * dayMs);

describe('pruning the history of ended sagas (PostgreSQL, injected clock)', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createThrowawayDatabase();
  });
  after(async () => database.drop());

  /** A saga placed `createdDaysAgo` (its history rows written then), then given `status` at `endedDaysAgo`. */
  async function saga(createdDaysAgo: number, status: OrderStatus, endedDaysAgo: number): Promise<string> {
    const order = newOrderRecord();
    await database.units.run((unit) =>
      runnerWithLongDeadlines().createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    const created = daysAgo(createdDaysAgo);
    // The runner stamps rows with the wall clock; the pruner reads only these columns.
    await database
      .db('orders.orders')
      .where({ order_id: order.orderId })
      .update({
        created_at: created,
        updated_at: daysAgo(endedDaysAgo),
        status,
      });
    return order.orderId;
  }

  const historyRows = async (orderId: string) =>
    Number((await database.db('orders.saga_history').where({ order_id: orderId }).count({ n: '*' }))[0]?.n);

  test('old ended sagas lose their history; recent, in-flight and FAILED ones keep it', async () => {
    const completedLongAgo = await saga(40, 'COMPLETED', 40);
    const cancelledLongAgo = await saga(35, 'CANCELLED', 34);
    const completedRecently = await saga(2, 'COMPLETED', 1);
    const inFlight = await saga(60, 'PENDING', 60);
    const failed = await saga(50, 'FAILED', 50);
    const all = [completedLongAgo, cancelledLongAgo, completedRecently, inFlight, failed];
    for (const id of all) assert.ok((await historyRows(id)) > 0, 'every saga starts with history');

    const pruner = startPruner({
      tasks: [historyPruneTask(database.db, retentionMs)],
      clock: () => now,
      logger: silent,
      intervalMs: 3_600_000,
      batchSize: 1, // batches of one order: the round must go on past the first
    });
    try {
      assert.deepEqual(await pruner.pruneOnce(), { saga_history: 2 });
    } finally {
      await pruner.stop();
    }
    assert.equal(await historyRows(completedLongAgo), 0);
    assert.equal(await historyRows(cancelledLongAgo), 0);
    for (const kept of [completedRecently, inFlight, failed])
      assert.ok((await historyRows(kept)) > 0, `${kept} keeps its history`);

    // The order and its saga stay: GET /orders/:id shows the final status with an empty history.
    const view = await getOrder(database.db, completedLongAgo);
    assert.equal(view?.status, 'COMPLETED');
    assert.deepEqual(view?.saga.history, []);
  });

  test('a saga that ended recently holds the cursor, and is pruned once it ended long enough ago', async () => {
    const endedFiveDaysAgo = await saga(45, 'CANCELLED', 5);
    const behindIt = await saga(44, 'CANCELLED', 44);
    const task = historyPruneTask(database.db, retentionMs);
    await task.pruneBatch(now, 100);
    assert.ok((await historyRows(endedFiveDaysAgo)) > 0, 'not yet: it ended 5 days ago');
    assert.ok((await historyRows(behindIt)) > 0, 'the cursor waits at the first order not yet due');
    await task.pruneBatch(new Date(now.getTime() + 26 * dayMs), 100);
    assert.equal(await historyRows(endedFiveDaysAgo), 0, '31 days after it ended');
    assert.equal(await historyRows(behindIt), 0);
  });
});
