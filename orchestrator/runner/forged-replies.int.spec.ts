import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { Topics } from '../../lib/kafka/topics.ts';
import { handleOnce, type IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { capturedLogger } from '../../test/support/captured-logger.ts';
import {
  newOrderRecord,
  replyMessage,
  reservedLines,
  testRunner,
  twoInstancesOnOneDatabase,
} from '../../test/support/saga-fixtures.ts';
import { createReplyHandler } from './reply-handler.ts';

const paymentSucceeded = (
  orderId: string,
  overrides: Parameters<typeof replyMessage>[1] = {},
): IncomingMessage =>
  replyMessage(
    { type: 'PaymentSucceeded', payload: { orderId, paymentId: randomUUID(), amount: 500, currency: 'EUR' } },
    overrides,
  );
const stockReserved = (orderId: string): IncomingMessage =>
  replyMessage({
    type: 'StockReserved',
    payload: { orderId, reservationId: randomUUID(), lines: reservedLines },
  });

describe('forged and late replies (PostgreSQL)', () => {
  const instances = twoInstancesOnOneDatabase();

  test('a saga waiting for its payment is moved only by the reply to its ProcessPayment, on payment-events', async () => {
    const { db, units } = instances.database;
    const { logger, lines } = capturedLogger('warn');
    const runner = testRunner({
      logger,
      deadlinePolicy: {
        stepTimeoutMs: 60_000,
        backoffMultiplier: 2,
        maxStepTimeoutMs: 600_000,
        jitterPercent: 0,
      },
    });
    const handle = (message: IncomingMessage) =>
      handleOnce(units, 'orders', createReplyHandler(runner), [message]);
    const order = newOrderRecord();
    await units.run((unit) => runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]));
    await handle(stockReserved(order.orderId));
    const sagaRow = () => db('orders.sagas').where({ order_id: order.orderId }).first();
    assert.equal((await sagaRow()).state, 'processingPayment');
    const version = (await sagaRow()).version;

    const forged = [
      [paymentSucceeded(order.orderId, { causationId: randomUUID() }), 'unknown_causation'],
      [paymentSucceeded(order.orderId, { causationId: null }), 'no_causation_id'],
      [paymentSucceeded(order.orderId, { topic: Topics.shippingEvents }), 'wrong_topic'],
      // A payload with a `reason` field of its own: it must not hide why the reply was rejected.
      [
        replyMessage(
          {
            type: 'PaymentFailed',
            payload: { orderId: order.orderId, reason: 'declined', message: 'forged' },
          },
          { causationId: randomUUID() },
        ),
        'unknown_causation',
      ],
      [stockReserved(order.orderId), 'earlier_step'],
    ] as const;
    for (const [message] of forged) await handle(message);

    const saga = await sagaRow();
    assert.equal(saga.state, 'processingPayment', 'no forged or late reply moved the saga');
    assert.equal(saga.version, version, 'nor wrote it');
    const rejected = await db('orders.saga_history')
      .where({ order_id: order.orderId, kind: 'reply_rejected' })
      .orderBy('id');
    assert.deepEqual(
      rejected.map((h) => [h.type, h.message_id, h.detail.reason, h.from_state, h.to_state]),
      forged.map(([m, reason]) => [
        m.record.type,
        m.meta.messageId,
        reason,
        'processingPayment',
        'processingPayment',
      ]),
    );
    assert.deepEqual(
      rejected.map((h) => h.detail.reply?.orderId),
      forged.map(() => order.orderId),
      "each row keeps the reply's payload under detail.reply",
    );
    assert.equal(rejected.find((h) => h.type === 'PaymentFailed')?.detail.reply.reason, 'declined');
    const outbox = await db('orders.outbox').where({
      message_key: order.orderId,
      record_type: 'ScheduleShipping',
    });
    assert.equal(outbox.length, 0, 'nothing was shipped');
    assert.equal(runner.repliesRejected, forged.length);
    assert.deepEqual(
      lines.map((l) => [l.orderId, l.type, l.reason]),
      forged.map(([m, reason]) => [order.orderId, m.record.type, reason]),
      'one warning per rejected reply, with order id, type and reason',
    );

    // The genuine reply still moves it.
    await handle(paymentSucceeded(order.orderId));
    assert.equal((await sagaRow()).state, 'schedulingShipping');
    assert.equal(runner.repliesRejected, forged.length);
  });

  test('a completed saga is moved by a carrier event only with its ScheduleShipping id, on shipping-events', async () => {
    const { db, units } = instances.database;
    const runner = testRunner({
      deadlinePolicy: {
        stepTimeoutMs: 60_000,
        backoffMultiplier: 2,
        maxStepTimeoutMs: 600_000,
        jitterPercent: 0,
      },
    });
    const handle = (message: IncomingMessage) =>
      handleOnce(units, 'orders', createReplyHandler(runner), [message]);
    const order = newOrderRecord();
    const { orderId } = order;
    await units.run((unit) => runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]));
    await handle(stockReserved(orderId));
    await handle(paymentSucceeded(orderId));
    await handle(
      replyMessage({
        type: 'ShippingScheduled',
        payload: { orderId, shipmentId: randomUUID(), carrier: 'DHL' },
      }),
    );
    const sagaRow = () => db('orders.sagas').where({ order_id: orderId }).first();
    assert.equal((await sagaRow()).state, 'completed');

    const pickedUpAt = Date.parse('2026-12-07T10:00:00Z');
    const pickedUp = (overrides: Parameters<typeof replyMessage>[1] = {}) =>
      replyMessage(
        {
          type: 'ShipmentPickedUp',
          payload: { orderId, shipmentId: randomUUID(), carrier: 'DHL', pickedUpAt },
        },
        overrides,
      );
    const forged = [
      [pickedUp({ causationId: randomUUID() }), 'unknown_causation'],
      [pickedUp({ causationId: null }), 'no_causation_id'],
      [pickedUp({ topic: Topics.paymentEvents }), 'wrong_topic'],
    ] as const;
    for (const [message] of forged) await handle(message);
    assert.equal((await sagaRow()).state, 'completed', 'no forged carrier event moved the saga');
    const rejected = await db('orders.saga_history')
      .where({ order_id: orderId, kind: 'reply_rejected' })
      .orderBy('id');
    assert.deepEqual(
      rejected.map((h) => h.detail.reason),
      forged.map(([, reason]) => reason),
    );

    await handle(pickedUp());
    assert.equal((await sagaRow()).state, 'shipped');
    await handle(
      replyMessage({
        type: 'ShipmentDelivered',
        payload: {
          orderId,
          shipmentId: randomUUID(),
          carrier: 'DHL',
          pickedUpAt,
          deliveredAt: pickedUpAt + 30_000,
        },
      }),
    );
    const saga = await sagaRow();
    assert.equal(saga.state, 'delivered');
    assert.deepEqual(saga.snapshot.context.fulfilment, {
      carrier: 'DHL',
      pickedUpAt: '2026-12-07T10:00:00.000Z',
      deliveredAt: '2026-12-07T10:00:30.000Z',
    });
    const events = await db('orders.outbox')
      .where({ message_key: orderId })
      .whereIn('record_type', ['OrderShipped', 'OrderDelivered'])
      .orderBy('seq')
      .select('record_type', 'payload');
    assert.deepEqual(
      events.map((e) => [e.record_type, JSON.parse(e.payload.toString('utf8'))]),
      [
        ['OrderShipped', { orderId, carrier: 'DHL', pickedUpAt }],
        ['OrderDelivered', { orderId, carrier: 'DHL', deliveredAt: pickedUpAt + 30_000 }],
      ],
    );
    const [orderRow] = await db('orders.orders').where({ order_id: orderId }).select('status');
    assert.equal(orderRow.status, 'COMPLETED', 'the order keeps its saga status');
  });
});
