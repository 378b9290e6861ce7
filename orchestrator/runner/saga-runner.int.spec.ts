import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createDatabase, type Knex } from '../../lib/db/database.ts';
import { handleOnce, type IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { jsonOutbox } from '../../test/support/json-outbox.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import type { OrderRecord } from './order-record.ts';
import { createReplyHandler } from './reply-handler.ts';
import { SagaRunner } from './saga-runner.ts';

/** Two orchestrator instances = two runners on two connection pools over one database. */
const runnerFor = () =>
  new SagaRunner({
    outbox: jsonOutbox('orders'),
    clock: () => new Date(),
    newId: randomUUID,
    random: () => 0.5,
    retryPolicy: { forwardAttempts: 3, compensationAttempts: 3 },
    deadlinePolicy: {
      stepTimeoutMs: 60_000,
      backoffMultiplier: 2,
      maxStepTimeoutMs: 600_000,
      jitterPercent: 0,
    },
  });

const newOrder = (): OrderRecord => ({
  orderId: randomUUID(),
  customerId: 'c-it',
  items: [{ sku: 'SKU-001', quantity: 1, unitPrice: 500 }],
  total: 500,
  currency: 'EUR',
  paymentToken: 'tok_visa',
  shippingAddress: { name: 'A', line1: 'l', line2: null, city: 'c', postalCode: 'p', country: 'DE' },
  correlationId: randomUUID(),
});

const stockReserved = (orderId: string, messageId = randomUUID()): IncomingMessage => ({
  topic: 'inventory-events',
  partition: 0,
  offset: '0',
  meta: {
    messageId,
    orderId,
    correlationId: orderId,
    causationId: null,
    recordType: 'StockReserved',
    occurredAt: new Date().toISOString(),
  },
  record: { type: 'StockReserved', payload: { orderId, reservationId: randomUUID() } },
});

describe('saga runner under concurrency (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let secondPool: Knex;
  before(async () => {
    database = await createThrowawayDatabase();
    secondPool = createDatabase(database.url, { poolMax: 5 });
  });
  after(async () => {
    await secondPool.destroy();
    await database.drop();
  });

  const sagaOf = async (orderId: string) => {
    const saga = await database.db('orders.sagas').where({ order_id: orderId }).first();
    const history = await database.db('orders.saga_history').where({ order_id: orderId }).orderBy('id');
    const commands = await database
      .db('orders.outbox')
      .where({ message_key: orderId, record_type: 'ProcessPayment' });
    return { saga, history, commands };
  };

  test('two runner instances given the same reply at the same time apply it once', async () => {
    const order = newOrder();
    await database.db.transaction((trx) =>
      runnerFor().createSagas(trx, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    const reply = stockReserved(order.orderId);
    // Both instances receive the same message (e.g. redelivered after a rebalance) and race.
    await Promise.all([
      handleOnce(database.db, 'orders', createReplyHandler(runnerFor()), [reply]),
      handleOnce(secondPool, 'orders', createReplyHandler(runnerFor()), [reply]),
    ]);
    const { saga, history, commands } = await sagaOf(order.orderId);
    assert.equal(saga.state, 'processingPayment');
    assert.equal(saga.version, 2, 'exactly one transition was persisted');
    assert.equal(history.filter((h) => h.type === 'StockReserved').length, 1);
    assert.equal(commands.length, 1, 'ProcessPayment was sent once');
  });

  test('the same reply twice with different message ids: the second is recorded as ignored, with no effect', async () => {
    const order = newOrder();
    await database.db.transaction((trx) =>
      runnerFor().createSagas(trx, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    await Promise.all([
      handleOnce(database.db, 'orders', createReplyHandler(runnerFor()), [stockReserved(order.orderId)]),
      handleOnce(secondPool, 'orders', createReplyHandler(runnerFor()), [stockReserved(order.orderId)]),
    ]);
    const { saga, history, commands } = await sagaOf(order.orderId);
    assert.equal(saga.version, 2);
    assert.deepEqual(
      history.filter((h) => h.type === 'StockReserved').map((h) => h.kind),
      ['reply_received', 'reply_ignored'],
    );
    assert.equal(commands.length, 1);
  });

  test('a reply for an unknown order fails the transaction (it goes to the DLT) and records nothing', async () => {
    const reply = stockReserved(randomUUID());
    await assert.rejects(
      handleOnce(database.db, 'orders', createReplyHandler(runnerFor()), [reply]),
      /no saga for order/,
    );
    const inbox = await database.db('orders.inbox').where({ message_id: reply.meta.messageId });
    assert.equal(inbox.length, 0, 'the inbox claim rolled back with the failed handler');
  });
});
