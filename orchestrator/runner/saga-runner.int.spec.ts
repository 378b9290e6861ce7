import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { handleOnce, type IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import {
  newOrderRecord,
  replyMessage,
  reservedLines,
  runnerWithLongDeadlines,
  twoInstancesOnOneDatabase,
} from '../../test/support/saga-fixtures.ts';
import { createReplyHandler } from './reply-handler.ts';
import { sagasInFlightSlots } from './sagas-in-flight-slots.ts';

const runnerFor = runnerWithLongDeadlines;
const newOrder = newOrderRecord;

const stockReserved = (orderId: string): IncomingMessage =>
  replyMessage({
    type: 'StockReserved',
    payload: { orderId, reservationId: randomUUID(), lines: reservedLines },
  });

describe('saga runner under concurrency (PostgreSQL)', () => {
  // Two orchestrator instances = two runners on two connection pools over one database.
  const instances = twoInstancesOnOneDatabase();

  const sagaOf = async (orderId: string) => {
    const saga = await instances.database.db('orders.sagas').where({ order_id: orderId }).first();
    const history = await instances.database
      .db('orders.saga_history')
      .where({ order_id: orderId })
      .orderBy('id');
    const commands = await instances.database
      .db('orders.outbox')
      .where({ message_key: orderId, record_type: 'ProcessPayment' });
    return { saga, history, commands };
  };

  test('orders.sagas_in_flight has exactly the slots the runner picks from (migration 008 and the runtime agree)', async () => {
    const slots: Array<{ slot: number }> = await instances.database
      .db('orders.sagas_in_flight')
      .select('slot')
      .orderBy('slot');
    assert.deepEqual(
      slots.map((row) => row.slot),
      Array.from({ length: sagasInFlightSlots }, (_, slot) => slot),
    );
  });

  test('two runner instances given the same reply at the same time apply it once', async () => {
    const order = newOrder();
    await instances.database.units.run((unit) =>
      runnerFor().createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    const reply = stockReserved(order.orderId);
    // Both instances receive the same message (e.g. redelivered after a rebalance) and race.
    await Promise.all([
      handleOnce(instances.database.units, 'orders', createReplyHandler(runnerFor()), [reply]),
      handleOnce(instances.secondPool, 'orders', createReplyHandler(runnerFor()), [reply]),
    ]);
    const { saga, history, commands } = await sagaOf(order.orderId);
    assert.equal(saga.state, 'processingPayment');
    assert.equal(saga.version, 2, 'exactly one transition was persisted');
    assert.equal(history.filter((h) => h.type === 'StockReserved').length, 1);
    assert.equal(commands.length, 1, 'ProcessPayment was sent once');
  });

  test('the same reply twice with different message ids: the second answers an earlier step, rejected with no effect', async () => {
    const order = newOrder();
    await instances.database.units.run((unit) =>
      runnerFor().createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    await Promise.all([
      handleOnce(instances.database.units, 'orders', createReplyHandler(runnerFor()), [
        stockReserved(order.orderId),
      ]),
      handleOnce(instances.secondPool, 'orders', createReplyHandler(runnerFor()), [
        stockReserved(order.orderId),
      ]),
    ]);
    const { saga, history, commands } = await sagaOf(order.orderId);
    assert.equal(saga.version, 2);
    assert.deepEqual(
      history.filter((h) => h.type === 'StockReserved').map((h) => [h.kind, h.detail.reason]),
      [
        ['reply_received', undefined],
        ['reply_rejected', 'earlier_step'],
      ],
    );
    assert.equal(commands.length, 1);
  });

  test('a redelivered reply in a batch with a new one: only the new one is applied', async () => {
    const [first, second] = [newOrder(), newOrder()];
    await instances.database.units.run((unit) =>
      runnerFor().createSagas(unit, [
        { order: first, idempotencyKey: null, fingerprint: null },
        { order: second, idempotencyKey: null, fingerprint: null },
      ]),
    );
    const handled = stockReserved(first.orderId);
    await handleOnce(instances.database.units, 'orders', createReplyHandler(runnerFor()), [handled]);
    // The same message again (same id, e.g. after a rebalance) next to a reply seen for the first time.
    await handleOnce(instances.database.units, 'orders', createReplyHandler(runnerFor()), [
      handled,
      stockReserved(second.orderId),
    ]);
    const before = await sagaOf(first.orderId);
    assert.equal(before.saga.version, 2, 'the redelivered reply was not applied again');
    assert.deepEqual(
      before.history.filter((h) => h.type === 'StockReserved').map((h) => h.kind),
      ['reply_received'],
      'not even recorded as ignored: the inbox dropped it',
    );
    const after = await sagaOf(second.orderId);
    assert.equal(after.saga.state, 'processingPayment', 'the new reply in the same batch was applied');
    assert.equal(after.commands.length, 1);
  });

  test('a reply for an unknown order fails the transaction (it goes to the DLT) and records nothing', async () => {
    const reply = stockReserved(randomUUID());
    await assert.rejects(
      handleOnce(instances.database.units, 'orders', createReplyHandler(runnerFor()), [reply]),
      /no saga for order/,
    );
    const inbox = await instances.database.db('orders.inbox').where({ message_id: reply.meta.messageId });
    assert.equal(inbox.length, 0, 'the inbox claim rolled back with the failed handler');
  });
});
