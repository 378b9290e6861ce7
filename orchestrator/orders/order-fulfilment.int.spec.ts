/**
 * An order's fulfilment in GET /orders/:id and GET /orders (?fulfilment=), through the
 * orchestrator's app on a real database: from the saga's state and the carrier's recorded times.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '../../lib/logger.ts';
import { orchestratorAppOn } from '../../test/support/orchestrator-app.ts';
import {
  applyEventOfType,
  fixtureDeliveredAt,
  fixturePickedUpAt,
  newOrderRecord,
  runnerWithLongDeadlines,
} from '../../test/support/saga-fixtures.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { bearer } from '../../test/support/tokens.ts';
import type { SagaEvent } from '../saga/saga-types.ts';

const logger = createLogger('fulfilment-it', 'fatal');
const completed: SagaEvent['type'][] = ['StockReserved', 'PaymentSucceeded', 'ShippingScheduled'];

describe('fulfilment in GET /orders and GET /orders/:id (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let app: FastifyInstance;
  const runner = runnerWithLongDeadlines();
  const orders: Record<string, string> = {};

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 4 });
    app = await orchestratorAppOn(database, runner, logger);
    const runs: Record<string, SagaEvent['type'][]> = {
      pending: ['StockReserved'],
      scheduled: completed,
      pickedUp: [...completed, 'ShipmentPickedUp'],
      delivered: [...completed, 'ShipmentPickedUp', 'ShipmentDelivered'],
      cancelled: ['StockRejected'],
    };
    for (const [name, events] of Object.entries(runs)) {
      const order = newOrderRecord();
      await database.units.run((unit) =>
        runner.createSagas(unit, [{ order, idempotencyKey: null, fingerprint: null }]),
      );
      for (const type of events) await applyEventOfType(database.units, runner, order.orderId, type);
      orders[name] = order.orderId;
    }
  });
  after(async () => {
    await app?.close();
    await database?.drop();
  });

  const get = (url: string) => app.inject({ url, headers: bearer('operator') });

  test('GET /orders/:id: null before shipping is scheduled and once cancelled; SCHEDULED, PICKED_UP, DELIVERED with the times', async () => {
    const fulfilmentOf = async (name: string) => (await get(`/orders/${orders[name]}`)).json().fulfilment;
    assert.equal(await fulfilmentOf('pending'), null);
    assert.equal(await fulfilmentOf('cancelled'), null);
    assert.deepEqual(await fulfilmentOf('scheduled'), {
      status: 'SCHEDULED',
      pickedUpAt: null,
      deliveredAt: null,
    });
    assert.deepEqual(await fulfilmentOf('pickedUp'), {
      status: 'PICKED_UP',
      pickedUpAt: fixturePickedUpAt,
      deliveredAt: null,
    });
    const delivered = (await get(`/orders/${orders.delivered}`)).json();
    assert.equal(delivered.status, 'COMPLETED');
    assert.equal(delivered.sagaState, 'delivered');
    assert.deepEqual(delivered.fulfilment, {
      status: 'DELIVERED',
      pickedUpAt: fixturePickedUpAt,
      deliveredAt: fixtureDeliveredAt,
    });
  });

  test('GET /orders?fulfilment= lists only the orders at that stage, each with its fulfilment', async () => {
    for (const [status, name] of [
      ['SCHEDULED', 'scheduled'],
      ['PICKED_UP', 'pickedUp'],
      ['DELIVERED', 'delivered'],
    ] as const) {
      const response = await get(`/orders?fulfilment=${status}`);
      assert.equal(response.statusCode, 200);
      const listed = response.json().orders as Array<{ orderId: string; fulfilment: { status: string } }>;
      assert.deepEqual(
        listed.map((o) => [o.orderId, o.fulfilment.status]),
        [[orders[name], status]],
      );
    }
    const all = (await get('/orders')).json().orders as Array<{ orderId: string; fulfilment: unknown }>;
    assert.equal(all.find((o) => o.orderId === orders.pending)?.fulfilment, null);
  });

  test('a bad fulfilment value is a 400 naming the field', async () => {
    const response = await get('/orders?fulfilment=LOST');
    assert.equal(response.statusCode, 400);
    assert.match(response.json().message, /fulfilment/);
  });
});
