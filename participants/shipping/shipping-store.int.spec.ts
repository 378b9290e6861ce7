/**
 * Shipping against a real PostgreSQL (own throwaway database): handler + store + outbox (JSON encoder),
 * and the HTTP app through inject().
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { ShippingEventsRecord } from '../../lib/contracts/generated.ts';
import type { Knex } from '../../lib/db/database.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import {
  commandMessage,
  createThrowawayDatabase,
  jsonOutbox,
  participantApp,
  repliesTo,
  silentLogger,
  type ThrowawayDatabase,
} from '../../test/support/participant-fixtures.ts';
import { bearer } from '../../test/support/tokens.ts';
import { buildApp } from './app.ts';
import { createShippingHandler } from './shipping-handler.ts';

const operator = bearer('operator');

let database: ThrowawayDatabase;
let db: Knex;
let handle: BatchHandler;
let app: FastifyInstance;
const faults = new FaultSwitch();

const schedule = (orderId: string, country = 'DE') =>
  commandMessage('shipping-commands', {
    type: 'ScheduleShipping',
    payload: {
      orderId,
      address: { name: 'Ada', line1: '1 Main St', line2: null, city: 'Berlin', postalCode: '10115', country },
      items: [{ sku: 'SKU-001', quantity: 2 }],
    },
  });
const cancel = (orderId: string) =>
  commandMessage('shipping-commands', { type: 'CancelShipping', payload: { orderId, reason: 'test' } });

async function handleBatch(messages: IncomingMessage[]): Promise<ShippingEventsRecord[]> {
  await database.units.run((unit) => handle(unit, messages));
  return (await repliesTo(db, 'shipping', messages)) as ShippingEventsRecord[];
}
const handleOne = async (m: IncomingMessage) => (await handleBatch([m]))[0] as ShippingEventsRecord;

before(async () => {
  database = await createThrowawayDatabase();
  db = database.db;
  handle = createShippingHandler(
    { outbox: jsonOutbox('shipping'), newId: timeOrderedIds(), logger: silentLogger },
    faults,
    { unservedCountries: ['AQ', 'KP'] },
  );
  app = await participantApp('shipping', buildApp, database, faults);
});

after(async () => {
  await app?.close();
  await database?.drop();
});

describe('shipping store (PostgreSQL)', () => {
  it('schedules with the country carrier, repeats the answer, cancels once', async () => {
    const orderId = randomUUID();
    const scheduled = await handleOne(schedule(orderId, 'DE'));
    assert.equal(scheduled.type, 'ShippingScheduled');
    assert.equal(scheduled.type === 'ShippingScheduled' && scheduled.payload.carrier, 'DHL');
    assert.deepEqual(await handleOne(schedule(orderId, 'DE')), scheduled);
    const cancelledAt = async () =>
      (await db('shipping.shipments').where({ order_id: orderId }).first('cancelled_at'))
        .cancelled_at as Date | null;
    assert.equal(await cancelledAt(), null, 'a scheduled shipment has no cancel time');
    assert.deepEqual(await handleOne(cancel(orderId)), {
      type: 'ShippingCancelled',
      payload: { orderId, cancelled: true, parcel: null },
    });
    assert.ok(
      (await cancelledAt()) instanceof Date,
      'the cancel (an upsert of the locked row) sets cancelled_at',
    );
    assert.deepEqual(await handleOne(cancel(orderId)), {
      type: 'ShippingCancelled',
      payload: { orderId, cancelled: true, parcel: null },
    });
    const again = await handleOne(schedule(orderId, 'DE'));
    assert.equal(again.type, 'ShippingFailed', 'a cancelled shipment is not scheduled again');
  });

  it('fails an unserved destination (configured list) and records it', async () => {
    const orderId = randomUUID();
    const reply = await handleOne(schedule(orderId, 'KP'));
    assert.deepEqual(reply, {
      type: 'ShippingFailed',
      payload: {
        orderId,
        reason: 'unserved_destination',
        message: 'no carrier serves destination country KP',
      },
    });
    assert.deepEqual(await handleOne(schedule(orderId, 'DE')), reply);
    assert.deepEqual(await handleOne(cancel(orderId)), {
      type: 'ShippingCancelled',
      payload: { orderId, cancelled: false, parcel: null },
    });
  });

  it('a cancel before any shipment voids the order: a late ScheduleShipping schedules nothing', async () => {
    const orderId = randomUUID();
    assert.deepEqual(await handleOne(cancel(orderId)), {
      type: 'ShippingCancelled',
      payload: { orderId, cancelled: false, parcel: null },
    });
    const late = await handleOne(schedule(orderId));
    assert.equal(late.type, 'ShippingFailed');
    const row = await db('shipping.shipments')
      .where({ order_id: orderId })
      .first<{ status: string; shipment_id: null }>();
    assert.equal(row.status, 'VOIDED');
    assert.equal(row.shipment_id, null);
  });

  it('one batch: schedule then cancel of one order', async () => {
    const orderId = randomUUID();
    const replies = await handleBatch([schedule(orderId), cancel(orderId)]);
    assert.deepEqual(
      replies.map((r) => r.type),
      ['ShippingScheduled', 'ShippingCancelled'],
    );
    const row = await db('shipping.shipments').where({ order_id: orderId }).first<{ status: string }>();
    assert.equal(row.status, 'CANCELLED');
  });
});

describe('shipping HTTP', () => {
  it('GET /shipments/:orderId shows the shipment; 404 unknown; 400 malformed', async () => {
    const orderId = randomUUID();
    await handleOne(schedule(orderId, 'fr'));
    const found = await app.inject({ method: 'GET', url: `/shipments/${orderId}`, headers: operator });
    assert.equal(found.statusCode, 200);
    const body = found.json();
    assert.equal(body.status, 'SCHEDULED');
    assert.equal(body.carrier, 'La Poste');
    assert.equal(body.country, 'FR');
    assert.equal(body.address.city, 'Berlin');
    assert.equal(body.cancelledAt, null);

    const missing = await app.inject({ method: 'GET', url: `/shipments/${randomUUID()}`, headers: operator });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().message, /no shipment for order/);

    const malformed = await app.inject({ method: 'GET', url: '/shipments/12345', headers: operator });
    assert.equal(malformed.statusCode, 400);
    assert.match(malformed.json().message, /orderId/);
  });
});
