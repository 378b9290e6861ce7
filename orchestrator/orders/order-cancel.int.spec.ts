/**
 * POST /orders/:id/cancel through the orchestrator's app, on a real database: the customer's own
 * orders only (another's is a 404), an operator's cancel audited, a repeat and a cancelled order a
 * no-op, FAILED and a saga compensating for another reason refused with a 409 saying why.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../lib/logger.ts';
import { auditRowsOf, orchestratorAppOn } from '../../test/support/orchestrator-app.ts';
import {
  applyEventOfType,
  newOrderRecord,
  runnerWithLongDeadlines,
} from '../../test/support/saga-fixtures.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { bearer } from '../../test/support/tokens.ts';
import type { SagaEvent } from '../saga/saga-types.ts';

const logger = createLogger('cancel-it', 'fatal');

describe('POST /orders/:id/cancel (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let app: FastifyInstance;
  const runner = runnerWithLongDeadlines();

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 4 });
    app = await orchestratorAppOn(database, runner, logger);
  });
  after(async () => {
    await app?.close();
    await database?.drop();
  });

  const apply = (orderId: string, type: SagaEvent['type']) =>
    applyEventOfType(database.units, runner, orderId, type);
  /** A new order of customer `c-it` after the given replies. */
  async function sagaAfter(...events: SagaEvent['type'][]): Promise<string> {
    const order = newOrderRecord();
    await database.units.run((unit) =>
      runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
    );
    for (const type of events) await apply(order.orderId, type);
    return order.orderId;
  }
  const cancel = (orderId: string, who = bearer('customer', 'c-it')) =>
    app.inject({
      method: 'POST',
      url: `/orders/${orderId}/cancel`,
      headers: { 'x-request-id': randomUUID(), ...who },
    });
  const sagaOf = async (orderId: string) =>
    (await database.db('orders.sagas').where({ order_id: orderId }).first('state', 'version')) as {
      state: string;
      version: number;
    };
  const auditOf = (orderId: string) => auditRowsOf(database, orderId);
  const commandsOf = async (orderId: string) =>
    (
      await database
        .db('orders.saga_history')
        .where({ order_id: orderId, kind: 'command_sent' })
        .orderBy('id')
        .select('type')
    ).map((r: { type: string }) => r.type);

  test('the customer cancels their order while payment is in flight: refund and release, 200 with the order; not audited', async () => {
    const orderId = await sagaAfter('StockReserved');
    const response = await cancel(orderId);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().saga.state, 'refundingPayment');
    assert.equal(response.json().status, 'PENDING');
    assert.deepEqual(await commandsOf(orderId), ['ReserveStock', 'ProcessPayment', 'RefundPayment']);
    const row = response.json().saga.history.find((h: { kind: string }) => h.kind === 'customer_action');
    assert.equal(row?.type, 'CANCEL');
    assert.deepEqual(await auditOf(orderId), []);
    // Cancelling twice: the same answer, nothing new.
    const before = await sagaOf(orderId);
    const again = await cancel(orderId);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json().saga.state, 'refundingPayment');
    assert.deepEqual(await sagaOf(orderId), before);
    await apply(orderId, 'PaymentRefunded');
    await apply(orderId, 'StockReleased');
    const done = await cancel(orderId);
    assert.equal(done.statusCode, 200);
    assert.equal(done.json().status, 'CANCELLED');
    assert.equal(done.json().cancelReason, 'customer_cancelled');
  });

  test('after COMPLETED: cancel shipping, refund, release', async () => {
    const orderId = await sagaAfter('StockReserved', 'PaymentSucceeded', 'ShippingScheduled');
    assert.equal((await sagaOf(orderId)).state, 'completed');
    const response = await cancel(orderId);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().saga.state, 'cancellingShipping');
    for (const reply of ['ShippingCancelled', 'PaymentRefunded', 'StockReleased'] as const)
      await apply(orderId, reply);
    const commands = await commandsOf(orderId);
    assert.deepEqual(commands.slice(3), ['CancelShipping', 'RefundPayment', 'ReleaseStock']);
    const [order] = await database
      .db('orders.orders')
      .where({ order_id: orderId })
      .select('status', 'cancel_reason');
    assert.deepEqual(order, { status: 'CANCELLED', cancel_reason: 'customer_cancelled' });
    const [inFlight] = await database
      .db('orders.sagas_in_flight')
      .sum<{ total: string }[]>({ total: 'sagas' });
    const [pending] = await database
      .db('orders.orders')
      .where({ status: 'PENDING' })
      .count<{ n: string }[]>({ n: '*' });
    assert.equal(
      Number(inFlight?.total),
      Number(pending?.n),
      'the in-flight counter follows COMPLETED → PENDING → CANCELLED',
    );
  });

  test("another customer's order is a 404, as an unknown id; the saga is untouched", async () => {
    const orderId = await sagaAfter();
    const before = await sagaOf(orderId);
    assert.equal((await cancel(orderId, bearer('customer', 'someone-else'))).statusCode, 404);
    assert.equal((await cancel(randomUUID())).statusCode, 404);
    assert.deepEqual(await sagaOf(orderId), before);
  });

  test("an operator's cancel is audited as applied, a refusal as rejected, an unknown order as not_found", async () => {
    const orderId = await sagaAfter();
    assert.equal((await cancel(orderId, bearer('operator'))).statusCode, 200);
    assert.equal((await sagaOf(orderId)).state, 'releasingStock');
    const failed = await sagaAfter('StockReserved', 'PaymentFailed');
    for (let attempt = 0; attempt < 10 && (await sagaOf(failed)).state !== 'failed'; attempt++)
      await apply(failed, 'DEADLINE_PASSED');
    assert.equal((await sagaOf(failed)).state, 'failed');
    const refused = await cancel(failed, bearer('operator'));
    assert.equal(refused.statusCode, 409);
    assert.match(refused.json().message, /FAILED.*operator retry/);
    const unknown = randomUUID();
    assert.equal((await cancel(unknown, bearer('operator'))).statusCode, 404);
    assert.deepEqual(
      [...(await auditOf(orderId)), ...(await auditOf(failed)), ...(await auditOf(unknown))].map((r) => [
        r.action,
        r.outcome,
        r.detail,
      ]),
      [
        ['cancel', 'applied', { from: 'reservingStock', to: 'releasingStock' }],
        ['cancel', 'rejected', { state: 'failed', reason: refused.json().message }],
        ['cancel', 'not_found', {}],
      ],
    );
  });

  test('a saga compensating for another reason refuses a cancel with a 409 naming its state', async () => {
    const orderId = await sagaAfter('StockReserved', 'PaymentFailed');
    const before = await sagaOf(orderId);
    const response = await cancel(orderId);
    assert.equal(response.statusCode, 409);
    assert.equal(
      response.json().message,
      'the order is already being cancelled (payment_declined), in state releasingStock',
    );
    assert.deepEqual(await sagaOf(orderId), before);
  });

  test('once the carrier picked the parcel up: 409 saying why, for the customer and an operator; the saga is untouched', async () => {
    const orderId = await sagaAfter(
      'StockReserved',
      'PaymentSucceeded',
      'ShippingScheduled',
      'ShipmentPickedUp',
    );
    const before = await sagaOf(orderId);
    assert.equal(before.state, 'shipped');
    for (const who of [bearer('customer', 'c-it'), bearer('operator')]) {
      const response = await cancel(orderId, who);
      assert.equal(response.statusCode, 409);
      assert.equal(
        response.json().message,
        "the order's parcel was already picked up by its carrier (fulfilment PICKED_UP): it can no longer be cancelled",
      );
    }
    assert.deepEqual(await sagaOf(orderId), before);
    await apply(orderId, 'ShipmentDelivered');
    assert.match((await cancel(orderId)).json().message, /fulfilment DELIVERED/);
  });

  test("a cancel that loses the race with the pickup: the pickup is noted, shipping's too-late answer ships the order, nothing is refunded", async () => {
    const inFlight = async () =>
      Number((await database.db('orders.sagas_in_flight').sum({ n: 'sagas' }))[0]?.n ?? 0);
    const inFlightBefore = await inFlight();
    const orderId = await sagaAfter('StockReserved', 'PaymentSucceeded', 'ShippingScheduled');
    assert.equal((await cancel(orderId)).statusCode, 200);
    assert.equal((await sagaOf(orderId)).state, 'cancellingShipping');
    assert.equal(await inFlight(), inFlightBefore + 1, 'in flight again while cancelling');
    const orderEvents = async () =>
      (
        await database
          .db('orders.outbox')
          .where({ message_key: orderId })
          .whereLike('record_type', 'Order%')
          .orderBy('seq')
          .select('record_type', 'payload')
      ).map((r: { record_type: string; payload: Buffer }) => {
        const payload = JSON.parse(r.payload.toString('utf8')) as {
          previousSagaState?: string;
          sagaState?: string;
        };
        return r.record_type === 'OrderStatusChanged'
          ? `${payload.previousSagaState}→${payload.sagaState}`
          : r.record_type;
      });
    const beforePickup = await orderEvents();

    // The carrier's pickup reaches the saga first: noted, no move, nothing published.
    await apply(orderId, 'ShipmentPickedUp');
    assert.equal((await sagaOf(orderId)).state, 'cancellingShipping');
    assert.deepEqual(await orderEvents(), beforePickup);

    // Shipping's answer to CancelShipping: too late, the carrier has the parcel.
    const parcel = { carrier: 'DHL', pickedUpAt: '2026-12-07T10:00:00.000Z', deliveredAt: null };
    await database.units.run((unit) =>
      runner.applyEvents(unit, [
        {
          orderId,
          event: { type: 'ShippingCancelled', cancelled: false, parcel },
          cause: { kind: 'reply', type: 'ShippingCancelled', messageId: randomUUID(), detail: {} },
        },
      ]),
    );
    assert.equal((await sagaOf(orderId)).state, 'shipped');
    assert.equal(await inFlight(), inFlightBefore, 'no longer in flight once shipped');
    assert.deepEqual((await orderEvents()).slice(beforePickup.length), [
      'OrderShipped',
      'cancellingShipping→shipped',
    ]);
    assert.ok(beforePickup.includes('completed→cancellingShipping'));
    assert.ok(!(await commandsOf(orderId)).some((c) => c === 'RefundPayment' || c === 'ReleaseStock'));
    const shown = await app.inject({ url: `/orders/${orderId}`, headers: bearer('customer', 'c-it') });
    assert.equal(shown.json().status, 'COMPLETED');
    assert.equal(shown.json().cancelReason ?? null, null, 'no cancel reason');
    assert.deepEqual(shown.json().fulfilment, {
      status: 'PICKED_UP',
      pickedUpAt: parcel.pickedUpAt,
      deliveredAt: null,
    });
    await apply(orderId, 'ShipmentDelivered');
    assert.equal((await sagaOf(orderId)).state, 'delivered');
    assert.equal(await inFlight(), inFlightBefore, 'nor once delivered');
  });

  test('a cancelled order is a no-op: 200 with the order, whatever its reason', async () => {
    const orderId = await sagaAfter('StockRejected');
    const response = await cancel(orderId);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().status, 'CANCELLED');
    assert.equal(response.json().cancelReason, 'out_of_stock');
  });
});
