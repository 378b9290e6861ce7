/**
 * Two instances change one saga at once: the second's locking read waits for the first's commit.
 * PostgreSQL then gives it the saga row as the first left it, but re-checks only the rows it locks
 * (`for update of` the saga): a column of the order row joined to it is as it was before. The
 * status a transaction starts from must come from the saga row (`sagaRowStatus`), or the in-flight
 * counter drifts (chaos check 1c found it: a customer's cancel racing the carrier's pickup).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  applyEventOfType,
  newOrderRecord,
  runnerWithLongDeadlines,
  twoInstancesOnOneDatabase,
} from '../../test/support/saga-fixtures.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import type { SagaEvent } from '../saga/saga-types.ts';

describe('a saga changed by two instances at once (PostgreSQL)', () => {
  const instances = twoInstancesOnOneDatabase();
  const runner = runnerWithLongDeadlines();

  const inFlight = async () =>
    Number((await instances.database.db('orders.sagas_in_flight').sum({ n: 'sagas' }))[0]?.n ?? 0);
  const pending = async () =>
    Number(
      (await instances.database.db('orders.orders').where({ status: 'PENDING' }).count({ n: '*' }))[0]?.n,
    );
  const reply = (orderId: string, event: SagaEvent) => ({
    orderId,
    event,
    cause: { kind: 'reply' as const, type: event.type, messageId: randomUUID(), detail: {} },
  });

  test("the second starts from the status the first left (not the order row's older one): the in-flight count stays exact", async () => {
    const { database, secondPool } = instances;
    const order = newOrderRecord();
    await database.units.run((unit) =>
      runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    const { orderId } = order;
    for (const type of ['StockReserved', 'PaymentSucceeded', 'ShippingScheduled'] as const)
      await applyEventOfType(database.units, runner, orderId, type);
    assert.equal(await inFlight(), await pending());

    // Instance 1 takes the customer's cancel (COMPLETED → PENDING) and holds its lock until released.
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const cancel = database.units.run(async (unit) => {
      await runner.applyEvents(unit, [
        {
          orderId,
          event: { type: 'CANCEL' },
          cause: { kind: 'customer', type: 'CANCEL', messageId: null, detail: {} },
        },
      ]);
      await released;
    });
    // Instance 2 applies the carrier's pickup meanwhile: its locking read waits for instance 1.
    const pickup = secondPool.run((unit) =>
      runner.applyEvents(unit, [
        reply(orderId, { type: 'ShipmentPickedUp', carrier: 'DHL', pickedUpAt: '2026-12-07T10:00:00.000Z' }),
      ]),
    );
    await waitFor("the pickup to wait for the cancel's lock", async () => {
      const waiting = await database.db.raw(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      return waiting.rows[0].n > 0 ? true : undefined;
    });
    release();
    await cancel;
    const [applied] = await pickup;
    assert.deepEqual(
      [applied?.from, applied?.to],
      ['cancellingShipping', 'cancellingShipping'],
      'the pickup met the cancelled saga: noted',
    );
    assert.equal(await pending(), 1);
    assert.equal(await inFlight(), await pending(), 'one saga in flight: the cancelling one');

    await database.units.run((unit) =>
      runner.applyEvents(unit, [
        reply(orderId, {
          type: 'ShippingCancelled',
          cancelled: false,
          parcel: { carrier: 'DHL', pickedUpAt: '2026-12-07T10:00:00.000Z', deliveredAt: null },
        }),
      ]),
    );
    assert.equal(await pending(), 0);
    assert.equal(await inFlight(), 0, 'shipped: none in flight');
  });
});
