import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { handleOnce } from '../../lib/messaging/message-consumer.ts';
import { countingReads } from '../../test/support/counting-reads.ts';
import {
  newOrderRecord,
  replyMessage,
  reservedLines,
  runnerWithLongDeadlines,
  twoInstancesOnOneDatabase,
} from '../../test/support/saga-fixtures.ts';
import { createReplyHandler } from './reply-handler.ts';
import { SagaCache } from './saga-cache.ts';

const stockReserved = (orderId: string) =>
  replyMessage({
    type: 'StockReserved',
    payload: { orderId, reservationId: randomUUID(), lines: reservedLines },
  });
const paymentSucceeded = (orderId: string) =>
  replyMessage({
    type: 'PaymentSucceeded',
    payload: { orderId, paymentId: randomUUID(), amount: 500, currency: 'EUR' },
  });

describe('saga cache: replies to sagas this process wrote (PostgreSQL)', () => {
  const instances = twoInstancesOnOneDatabase();

  const sagaOf = async (orderId: string) => {
    const { db } = instances.database;
    const saga = await db('orders.sagas').where({ order_id: orderId }).first();
    const history = await db('orders.saga_history').where({ order_id: orderId }).orderBy('id');
    const outbox = await db('orders.outbox').where({ message_key: orderId });
    const commands = (type: string) => outbox.filter((row) => row.record_type === type).length;
    return { saga, history, commands };
  };

  const created = async (cache: SagaCache) => {
    const order = newOrderRecord();
    await instances.database.units.run((unit) =>
      runnerWithLongDeadlines(cache).createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    return order.orderId;
  };

  test('a reply to a saga the runner created or wrote is applied without reading it', async () => {
    const cache = new SagaCache();
    const orderId = await created(cache);
    assert.equal(cache.get(orderId)?.version, 1, 'remembered after its creation committed');
    const { units, counter } = countingReads(instances.database.units);
    const handler = createReplyHandler(runnerWithLongDeadlines(cache));

    await handleOnce(units, 'orders', handler, [stockReserved(orderId)]);
    await handleOnce(units, 'orders', handler, [paymentSucceeded(orderId)]);
    assert.equal(counter.reads, 0, 'no read: both sagas came from the cache');
    const { saga, commands } = await sagaOf(orderId);
    assert.equal(saga.state, 'schedulingShipping');
    assert.equal(saga.version, 3);
    assert.equal(commands('ScheduleShipping'), 1);
    assert.equal(cache.get(orderId)?.version, 3);

    // Without the cache the same reply path reads the saga under its lock.
    const other = await created(new SagaCache());
    await handleOnce(units, 'orders', createReplyHandler(runnerWithLongDeadlines(new SagaCache())), [
      stockReserved(other),
    ]);
    assert.equal(counter.reads, 1);
  });

  test('a cached saga another instance moved on: the reply the stale copy would ignore is applied to the current one', async () => {
    const cache = new SagaCache();
    const orderId = await created(cache);
    // Another instance applies StockReserved (a rebalance moved the partition there and back).
    await handleOnce(instances.secondPool, 'orders', createReplyHandler(runnerWithLongDeadlines()), [
      stockReserved(orderId),
    ]);
    assert.equal(cache.get(orderId)?.persisted.value, 'reservingStock', 'the cache does not know');

    await handleOnce(instances.database.units, 'orders', createReplyHandler(runnerWithLongDeadlines(cache)), [
      paymentSucceeded(orderId),
    ]);
    const { saga, history, commands } = await sagaOf(orderId);
    assert.equal(saga.state, 'schedulingShipping', 'PaymentSucceeded was applied, not ignored');
    assert.equal(saga.version, 3);
    assert.deepEqual(
      history.filter((h) => h.type === 'PaymentSucceeded').map((h) => h.kind),
      ['reply_received'],
      'the attempt on the stale copy left nothing',
    );
    assert.equal(commands('ScheduleShipping'), 1);
    assert.equal(cache.get(orderId)?.version, 3, 'the cache holds the saga as written');
  });

  test('a cached saga another instance moved on: the reply the stale copy would apply again is rejected', async () => {
    const cache = new SagaCache();
    const orderId = await created(cache);
    await handleOnce(instances.secondPool, 'orders', createReplyHandler(runnerWithLongDeadlines()), [
      stockReserved(orderId),
    ]);
    // A second StockReserved (another message id, e.g. a re-sent command answered twice).
    await handleOnce(instances.database.units, 'orders', createReplyHandler(runnerWithLongDeadlines(cache)), [
      stockReserved(orderId),
    ]);
    const { saga, history, commands } = await sagaOf(orderId);
    assert.equal(saga.state, 'processingPayment');
    assert.equal(saga.version, 2, 'the stale copy did not overwrite the saga');
    assert.deepEqual(
      history.filter((h) => h.type === 'StockReserved').map((h) => [h.kind, h.detail.reason]),
      [
        ['reply_received', undefined],
        ['reply_rejected', 'earlier_step'],
      ],
    );
    assert.equal(commands('ProcessPayment'), 1, 'ProcessPayment was sent once');
  });
});
