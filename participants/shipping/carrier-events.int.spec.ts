/**
 * The carrier's events against a real PostgreSQL (own throwaway database): POST
 * /shipments/:shipmentId/events through inject() (the carrier role), the shipment row and the
 * outbox row it commits together, and the simulated carrier's passes with an injected clock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Knex } from '../../lib/db/database.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import {
  commandMessage,
  createThrowawayDatabase,
  jsonOutbox,
  participantApp,
  silentLogger,
  type ThrowawayDatabase,
} from '../../test/support/participant-fixtures.ts';
import { bearer } from '../../test/support/tokens.ts';
import { buildApp } from './app.ts';
import { carrierMessages } from './carrier-decisions.ts';
import { createShippingHandler } from './shipping-handler.ts';
import { advanceDueShipments, type SimulatedCarrierDeps } from './simulated-carrier.ts';

const carrier = bearer('carrier');

let database: ThrowawayDatabase;
let db: Knex;
let handle: BatchHandler;
let app: FastifyInstance;

before(async () => {
  database = await createThrowawayDatabase();
  db = database.db;
  handle = createShippingHandler(
    { outbox: jsonOutbox('shipping'), newId: timeOrderedIds(), logger: silentLogger },
    new FaultSwitch(),
    { unservedCountries: ['AQ'] },
  );
  app = await participantApp('shipping', buildApp, database, new FaultSwitch());
});

after(async () => {
  await app?.close();
  await database?.drop();
});

const command = (record: Parameters<typeof commandMessage>[1]) => commandMessage('shipping-commands', record);

/** Schedules a shipment for a new order; its id, and the ScheduleShipping message. */
async function scheduled(): Promise<{ orderId: string; shipmentId: string; schedule: IncomingMessage }> {
  const orderId = randomUUID();
  const schedule = command({
    type: 'ScheduleShipping',
    payload: {
      orderId,
      address: {
        name: 'Ada',
        line1: '1 Main St',
        line2: null,
        city: 'Berlin',
        postalCode: '10115',
        country: 'DE',
      },
      items: [{ sku: 'SKU-001', quantity: 1 }],
    },
  });
  await database.units.run((unit) => handle(unit, [schedule]));
  const row = await db('shipping.shipments').where({ order_id: orderId }).first('shipment_id');
  return { orderId, shipmentId: row.shipment_id as string, schedule };
}

const post = (shipmentId: string, type: string, at: string, headers = carrier) =>
  app.inject({ method: 'POST', url: `/shipments/${shipmentId}/events`, headers, payload: { type, at } });

/** The carrier events in shipping's outbox for an order, oldest first. */
async function carrierEventsOf(orderId: string) {
  const rows: Array<{ record_type: string; payload: Buffer; causation: string; correlation: string }> =
    await db('shipping.outbox')
      .whereIn('record_type', ['ShipmentPickedUp', 'ShipmentDelivered'])
      .where('message_key', orderId)
      .orderBy('seq')
      .select(
        'record_type',
        'payload',
        db.raw("headers->>'causation-id' as causation"),
        db.raw("headers->>'correlation-id' as correlation"),
      );
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload.toString('utf8')) }));
}

describe('POST /shipments/:shipmentId/events (PostgreSQL)', () => {
  it('PICKED_UP then DELIVERED: the row, and one outbox event each with the ScheduleShipping ids', async () => {
    const { orderId, shipmentId, schedule } = await scheduled();
    const picked = await post(shipmentId, 'PICKED_UP', '2026-12-07T10:00:00Z');
    assert.equal(picked.statusCode, 200, picked.body);
    assert.deepEqual(picked.json(), {
      shipmentId,
      orderId,
      status: 'PICKED_UP',
      pickedUpAt: '2026-12-07T10:00:00.000Z',
      deliveredAt: null,
    });
    const delivered = await post(shipmentId, 'DELIVERED', '2026-12-07T10:00:30+00:00');
    assert.equal(delivered.statusCode, 200, delivered.body);
    assert.equal(delivered.json().deliveredAt, '2026-12-07T10:00:30.000Z');

    const events = await carrierEventsOf(orderId);
    assert.deepEqual(
      events.map((e) => e.record_type),
      ['ShipmentPickedUp', 'ShipmentDelivered'],
    );
    for (const e of events) {
      assert.equal(e.causation, schedule.meta.messageId);
      assert.equal(e.correlation, schedule.meta.correlationId);
    }
    assert.deepEqual(events[1]?.payload, {
      orderId,
      shipmentId,
      carrier: 'DHL',
      pickedUpAt: Date.parse('2026-12-07T10:00:00Z'),
      deliveredAt: Date.parse('2026-12-07T10:00:30Z'),
    });
    const shown = await app.inject({ url: `/shipments/${orderId}`, headers: bearer('operator') });
    assert.equal(shown.json().status, 'DELIVERED');
  });

  it('is idempotent: the same event twice gives the same answer and one outbox event', async () => {
    const { orderId, shipmentId } = await scheduled();
    const first = await post(shipmentId, 'PICKED_UP', '2026-12-07T10:00:00Z');
    const second = await post(shipmentId, 'PICKED_UP', '2026-12-07T10:05:00Z');
    assert.equal(second.statusCode, 200);
    assert.deepEqual(second.json(), first.json());
    assert.equal((await carrierEventsOf(orderId)).length, 1);
  });

  it('refuses DELIVERED before PICKED_UP, and any event on a cancelled shipment, with 409 saying why', async () => {
    const early = await scheduled();
    const refused = await post(early.shipmentId, 'DELIVERED', '2026-12-07T10:00:00Z');
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json().message, carrierMessages.notPickedUp(early.shipmentId));

    const { orderId, shipmentId } = await scheduled();
    await database.units.run((unit) =>
      handle(unit, [command({ type: 'CancelShipping', payload: { orderId, reason: 'customer_cancelled' } })]),
    );
    const cancelled = await post(shipmentId, 'PICKED_UP', '2026-12-07T10:00:00Z');
    assert.equal(cancelled.statusCode, 409);
    assert.equal(cancelled.json().message, carrierMessages.cancelled(shipmentId, 'PICKED_UP'));
    assert.deepEqual(await carrierEventsOf(orderId), []);
    assert.deepEqual(await carrierEventsOf(early.orderId), []);
  });

  it('a CancelShipping after the pickup (or the delivery) answers cancelled=false with where the parcel is', async () => {
    const answerTo = async (orderId: string) => {
      await database.units.run((unit) =>
        handle(unit, [
          command({ type: 'CancelShipping', payload: { orderId, reason: 'customer_cancelled' } }),
        ]),
      );
      const rows: Array<{ payload: Buffer }> = await db('shipping.outbox')
        .where({ message_key: orderId, record_type: 'ShippingCancelled' })
        .orderBy('seq', 'desc')
        .select('payload');
      return JSON.parse(rows[0]?.payload.toString('utf8') ?? 'null');
    };
    const picked = await scheduled();
    assert.equal((await post(picked.shipmentId, 'PICKED_UP', '2026-12-07T10:00:00Z')).statusCode, 200);
    assert.deepEqual(await answerTo(picked.orderId), {
      orderId: picked.orderId,
      cancelled: false,
      parcel: { carrier: 'DHL', pickedUpAt: Date.parse('2026-12-07T10:00:00Z'), deliveredAt: null },
    });
    const delivered = await scheduled();
    await post(delivered.shipmentId, 'PICKED_UP', '2026-12-07T10:00:00Z');
    assert.equal((await post(delivered.shipmentId, 'DELIVERED', '2026-12-07T10:00:30Z')).statusCode, 200);
    assert.deepEqual((await answerTo(delivered.orderId)).parcel, {
      carrier: 'DHL',
      pickedUpAt: Date.parse('2026-12-07T10:00:00Z'),
      deliveredAt: Date.parse('2026-12-07T10:00:30Z'),
    });
    const shown = await app.inject({ url: `/shipments/${picked.orderId}`, headers: bearer('operator') });
    assert.equal(shown.json().status, 'PICKED_UP', 'the shipment is not cancelled');
  });

  it('answers 404 for an unknown shipment, 400 naming the field for a bad body, 403 for another role', async () => {
    assert.equal((await post(randomUUID(), 'PICKED_UP', '2026-12-07T10:00:00Z')).statusCode, 404);
    const { shipmentId } = await scheduled();
    const badType = await post(shipmentId, 'LOST', '2026-12-07T10:00:00Z');
    assert.equal(badType.statusCode, 400);
    assert.match(badType.json().message, /type/);
    const badAt = await post(shipmentId, 'PICKED_UP', 'yesterday');
    assert.equal(badAt.statusCode, 400);
    assert.match(badAt.json().message, /at/);
    assert.equal(
      (await post(shipmentId, 'PICKED_UP', '2026-12-07T10:00:00Z', bearer('operator'))).statusCode,
      403,
    );
  });
});

describe('simulated carrier (PostgreSQL, injected clock)', () => {
  it('picks up a shipment once its delay passed, delivers it after the next, through the same transitions', async () => {
    const { orderId, shipmentId } = await scheduled();
    const createdAt = (await db('shipping.shipments').where({ order_id: orderId }).first('created_at'))
      .created_at as Date;
    let now = new Date(createdAt.getTime() + 5_000);
    const deps: SimulatedCarrierDeps = {
      units: database.units,
      outbox: jsonOutbox('shipping'),
      newId: timeOrderedIds(),
      clock: () => now,
      logger: silentLogger,
    };
    const options = { pickUpAfterMs: 30_000, deliverAfterMs: 30_000, pollMs: 1_000, batch: 10_000 };
    const status = async () =>
      (await db('shipping.shipments').where({ order_id: orderId }).first('status')).status;
    await advanceDueShipments(deps, options);
    assert.equal(await status(), 'SCHEDULED', 'not due before 30 s');
    now = new Date(createdAt.getTime() + 31_000);
    await advanceDueShipments(deps, options);
    assert.equal(await status(), 'PICKED_UP');
    await advanceDueShipments(deps, options);
    assert.equal(await status(), 'PICKED_UP', 'the delivery is due 30 s after the pickup');
    now = new Date(createdAt.getTime() + 62_000);
    await advanceDueShipments(deps, options);
    assert.equal(await status(), 'DELIVERED');
    const events = await carrierEventsOf(orderId);
    assert.deepEqual(
      events.map((e) => [e.record_type, e.payload.shipmentId]),
      [
        ['ShipmentPickedUp', shipmentId],
        ['ShipmentDelivered', shipmentId],
      ],
    );
    assert.equal(events[0]?.payload.pickedUpAt, createdAt.getTime() + 31_000);
  });
});
