import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { handleOnce } from '../../lib/messaging/message-consumer.ts';
import {
  newOrderRecord,
  replyMessage,
  reservedLines,
  runnerWithLongDeadlines,
  twoInstancesOnOneDatabase,
} from '../../test/support/saga-fixtures.ts';
import { createReplyHandler } from '../runner/reply-handler.ts';
import { getOrder, listOrders } from './order-queries.ts';

describe('the catalog total of an order (PostgreSQL)', () => {
  const instances = twoInstancesOnOneDatabase();

  test('known from StockReserved on in the API; written to orders.total with the status change only', async () => {
    const { db, units } = instances.database;
    const runner = runnerWithLongDeadlines();
    const handle = createReplyHandler(runner);
    const order = newOrderRecord();
    const { orderId } = order;
    await units.run((unit) => runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]));
    const stored = async () =>
      (await db('orders.orders').where({ order_id: orderId }).first('total', 'status')) as {
        total: number | null;
        status: string;
      };
    const shown = async () => ({
      one: (await getOrder(db, orderId))?.total,
      listed: (await listOrders(db, { limit: 100 })).orders.find((o) => o.orderId === orderId)?.total,
    });
    assert.deepEqual(await shown(), { one: null, listed: null }, 'unknown before inventory prices it');

    await handleOnce(units, 'orders', handle, [
      replyMessage({
        type: 'StockReserved',
        payload: { orderId, reservationId: randomUUID(), lines: reservedLines },
      }),
    ]);
    const catalogTotal = reservedLines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
    assert.deepEqual(await shown(), { one: catalogTotal, listed: catalogTotal });
    assert.deepEqual(
      await stored(),
      { total: null, status: 'PENDING' },
      'pricing did not update the orders row',
    );

    await handleOnce(units, 'orders', handle, [
      replyMessage({
        type: 'PaymentFailed',
        payload: { orderId, reason: 'declined', message: 'declined' },
      }),
    ]);
    await handleOnce(units, 'orders', handle, [
      replyMessage({ type: 'StockReleased', payload: { orderId, released: true } }),
    ]);
    assert.deepEqual(
      await stored(),
      { total: catalogTotal, status: 'CANCELLED' },
      'written with the status change',
    );
    assert.deepEqual(await shown(), { one: catalogTotal, listed: catalogTotal });
  });
});
