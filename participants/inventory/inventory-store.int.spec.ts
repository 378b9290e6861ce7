/**
 * Inventory against a real PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/order_saga):
 * the test creates its own throwaway database `order_saga_it_<random>`, migrates it, and drops it.
 * Commands go through the real handler, store and outbox (with a JSON encoder instead of Avro).
 */

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { InventoryEventsRecord, StockItem } from '../../lib/contracts/generated.ts';
import type { Knex } from '../../lib/db/database.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { countingReads } from '../../test/support/counting-reads.ts';
import {
  commandMessage,
  createThrowawayDatabase,
  jsonOutbox,
  repliesTo,
  silentLogger,
  type ThrowawayDatabase,
} from '../../test/support/participant-fixtures.ts';
import { createInventoryHandler } from './inventory-handler.ts';

let database: ThrowawayDatabase;
let db: Knex;
let handle: BatchHandler;

const reserve = (orderId: string, items: StockItem[]) =>
  commandMessage('inventory-commands', { type: 'ReserveStock', payload: { orderId, items } });
const release = (orderId: string) =>
  commandMessage('inventory-commands', { type: 'ReleaseStock', payload: { orderId, reason: 'test' } });

/** Handles the messages as one batch in one transaction; returns the replies, in order. */
async function handleBatch(messages: IncomingMessage[]): Promise<InventoryEventsRecord[]> {
  await database.units.run((unit) => handle(unit, messages));
  return (await repliesTo(db, 'inventory', messages)) as InventoryEventsRecord[];
}
const handleOne = async (m: IncomingMessage) => (await handleBatch([m]))[0] as InventoryEventsRecord;

const available = async (sku: string): Promise<number> =>
  (await db('inventory.stock').where({ sku }).first<{ available: number }>('available')).available;

/** Every unit is either available or held by a RESERVED reservation. */
async function assertConservation(): Promise<void> {
  const stock: Array<{ sku: string; available: number; seeded: number }> = await db('inventory.stock').select(
    'sku',
    'available',
    'seeded',
  );
  const held = new Map<string, number>();
  const reservations: Array<{ items: StockItem[] }> = await db('inventory.reservations')
    .select('items')
    .where({ status: 'RESERVED' });
  for (const { items } of reservations)
    for (const i of items) held.set(i.sku, (held.get(i.sku) ?? 0) + i.quantity);
  for (const s of stock) {
    assert.ok(s.available >= 0, `${s.sku} never negative`);
    assert.equal(s.available + (held.get(s.sku) ?? 0), s.seeded, `${s.sku}: available + held = seeded`);
  }
}

const count = (replies: InventoryEventsRecord[], type: InventoryEventsRecord['type']) =>
  replies.filter((r) => r.type === type).length;

before(async () => {
  database = await createThrowawayDatabase({ poolMax: 30 });
  db = database.db;
  await db('inventory.stock').insert([
    { sku: 'IT-A', name: 'test A', available: 4, seeded: 4, unit_price: 100, currency: 'EUR' },
    { sku: 'IT-B', name: 'test B', available: 4, seeded: 4, unit_price: 250, currency: 'EUR' },
    { sku: 'IT-C', name: 'test C', available: 3, seeded: 3, unit_price: 999, currency: 'EUR' },
    { sku: 'IT-ODD', name: 'test odd', available: 7, seeded: 7, unit_price: 1, currency: 'EUR' },
  ]);
  handle = createInventoryHandler(
    { outbox: jsonOutbox('inventory'), newId: timeOrderedIds(), logger: silentLogger },
    new FaultSwitch(),
  );
});

after(async () => {
  await database?.drop();
});

describe('inventory store (PostgreSQL)', () => {
  const reservedOrders: string[] = [];

  it('concurrent reservations of the last units never oversell', async () => {
    const orders = Array.from({ length: 20 }, () => randomUUID());
    const replies = await Promise.all(
      orders.map((orderId) => handleOne(reserve(orderId, [{ sku: 'SKU-LTD', quantity: 1 }]))),
    );
    assert.equal(count(replies, 'StockReserved'), 5, 'exactly the 5 units in stock are reserved');
    assert.equal(count(replies, 'StockRejected'), 15);
    for (const reply of replies) {
      if (reply.type === 'StockRejected') {
        assert.deepEqual(reply.payload.shortages, [{ sku: 'SKU-LTD', requested: 1, available: 0 }]);
        assert.equal(reply.payload.reason, 'out_of_stock');
      }
    }
    assert.equal(await available('SKU-LTD'), 0);
    reservedOrders.push(...orders.filter((_, i) => replies[i]?.type === 'StockReserved'));

    const pairs = Array.from({ length: 10 }, () => randomUUID());
    const pairReplies = await Promise.all(
      pairs.map((orderId) => handleOne(reserve(orderId, [{ sku: 'IT-ODD', quantity: 2 }]))),
    );
    assert.equal(count(pairReplies, 'StockReserved'), 3, '7 units hold three orders of 2');
    assert.equal(await available('IT-ODD'), 1);
    reservedOrders.push(...pairs.filter((_, i) => pairReplies[i]?.type === 'StockReserved'));
    await assertConservation();
  });

  it('multi-SKU orders locking in opposite orders neither deadlock nor oversell', async () => {
    const orders = Array.from({ length: 16 }, () => randomUUID());
    const replies = await Promise.all(
      orders.map((orderId, i) =>
        handleOne(
          reserve(
            orderId,
            i % 2 === 0
              ? [
                  { sku: 'IT-A', quantity: 1 },
                  { sku: 'IT-B', quantity: 1 },
                ]
              : [
                  { sku: 'IT-B', quantity: 1 },
                  { sku: 'IT-A', quantity: 1 },
                ],
          ),
        ),
      ),
    );
    assert.equal(count(replies, 'StockReserved'), 4);
    for (const reply of replies.filter((r) => r?.type === 'StockReserved')) {
      assert.deepEqual(reply?.type === 'StockReserved' && reply.payload.lines, [
        { sku: 'IT-A', quantity: 1, unitPrice: 100, currency: 'EUR' },
        { sku: 'IT-B', quantity: 1, unitPrice: 250, currency: 'EUR' },
      ]);
    }
    assert.equal(await available('IT-A'), 0);
    assert.equal(await available('IT-B'), 0);
    reservedOrders.push(...orders.filter((_, i) => replies[i]?.type === 'StockReserved'));
    await assertConservation();
  });

  it('one batch decides its commands in order against the state the earlier ones left', async () => {
    const orders = Array.from({ length: 5 }, () => randomUUID());
    const batch = orders.map((orderId) => reserve(orderId, [{ sku: 'IT-C', quantity: 1 }]));
    batch.push(release(orders[0] as string));
    batch.push(reserve(randomUUID(), [{ sku: 'IT-C', quantity: 1 }]));
    const replies = await handleBatch(batch);
    assert.deepEqual(
      replies.map((r) => r.type),
      [
        'StockReserved',
        'StockReserved',
        'StockReserved',
        'StockRejected',
        'StockRejected',
        'StockReleased',
        'StockReserved',
      ],
    );
    assert.equal(await available('IT-C'), 0);
    reservedOrders.push(orders[1] as string, orders[2] as string);
    const last = batch[batch.length - 1];
    if (last) reservedOrders.push(last.meta.orderId);
    await assertConservation();
  });

  it('all or nothing: a short line leaves the other lines untouched; duplicate SKUs are summed', async () => {
    const before001 = await available('SKU-001');
    const reply = await handleOne(
      reserve(randomUUID(), [
        { sku: 'SKU-001', quantity: 1 },
        { sku: 'IT-ODD', quantity: 1 },
        { sku: 'IT-ODD', quantity: 1 },
      ]),
    );
    assert.deepEqual(reply.payload, {
      ...reply.payload,
      reason: 'out_of_stock',
      shortages: [{ sku: 'IT-ODD', requested: 2, available: 1 }],
    });
    assert.equal(await available('SKU-001'), before001);
    assert.equal(await available('IT-ODD'), 1);
  });

  it("new orders' ReserveStock reads only the stock; a repeat finds its reservation by the insert, then reads it", async () => {
    const { units, counter } = countingReads(database.units);
    const orderId = randomUUID();
    const before002 = await available('SKU-002');
    const first = reserve(orderId, [{ sku: 'SKU-002', quantity: 1 }]);
    await units.run((unit) => handle(unit, [first]));
    assert.equal(counter.reads, 1, 'one read: the stock rows, no reservation rows');
    const [reply] = await repliesTo(db, 'inventory', [first]);
    assert.equal(reply?.type, 'StockReserved');

    const repeat = reserve(orderId, [{ sku: 'SKU-002', quantity: 1 }]);
    await units.run((unit) => handle(unit, [repeat]));
    assert.equal(counter.reads, 4, 'the attempt that took the order as new failed; the next read both');
    assert.deepEqual((await repliesTo(db, 'inventory', [repeat]))[0], reply, 'the same answer');
    assert.equal(await available('SKU-002'), before002 - 1, 'reserved once');
    await handleOne(release(orderId));
    assert.equal(await available('SKU-002'), before002);
  });

  it('a repeated ReserveStock (new message id, same order) gets the same answer and reserves nothing more', async () => {
    const orderId = reservedOrders[0] as string;
    const first = await db('inventory.reservations')
      .where({ order_id: orderId })
      .first<{ reservation_id: string }>();
    const reply = await handleOne(reserve(orderId, [{ sku: 'SKU-LTD', quantity: 1 }]));
    assert.deepEqual(reply, {
      type: 'StockReserved',
      payload: {
        orderId,
        reservationId: first.reservation_id,
        lines: [{ sku: 'SKU-LTD', quantity: 1, unitPrice: 4900, currency: 'EUR' }],
      },
    });
    assert.equal(await available('SKU-LTD'), 0);
  });

  it('two different ReserveStock for one order at once take the stock once; the loser, run again, gets the same answer', async () => {
    const orderId = randomUUID();
    const before003 = await available('SKU-003');
    const commands = [0, 1].map(() => reserve(orderId, [{ sku: 'SKU-003', quantity: 2 }]));
    const results = await Promise.allSettled(commands.map((c) => handleOne(c)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'fulfilled'],
      'a loser finds the row the winner inserted (ExistingOrderRowsError) and its unit of work runs again on it',
    );
    const replies = await repliesTo(db, 'inventory', commands);
    const row = await db('inventory.reservations')
      .where({ order_id: orderId })
      .first<{ reservation_id: string }>();
    for (const reply of replies) {
      assert.deepEqual(reply, {
        type: 'StockReserved',
        payload: {
          orderId,
          reservationId: row.reservation_id,
          lines: [{ sku: 'SKU-003', quantity: 2, unitPrice: 2500, currency: 'EUR' }],
        },
      });
    }
    assert.equal(await available('SKU-003'), before003 - 2);
    reservedOrders.push(orderId);
    await assertConservation();
  });

  it('release restores exactly, and releasing again changes nothing', async () => {
    const heldRows = await db('inventory.reservations')
      .whereIn('order_id', reservedOrders)
      .select('released_at');
    assert.ok(
      heldRows.length > 0 && heldRows.every((r) => r.released_at === null),
      'held reservations have no release time',
    );
    const replies = await Promise.all(reservedOrders.map((orderId) => handleOne(release(orderId))));
    assert.ok(replies.every((r) => r.type === 'StockReleased' && r.payload.released));
    const releasedRows = await db('inventory.reservations')
      .whereIn('order_id', reservedOrders)
      .select('status', 'released_at');
    assert.ok(
      releasedRows.every((r) => r.status === 'RELEASED' && r.released_at instanceof Date),
      'the release (an upsert of the locked rows) sets released_at',
    );
    const stock: Array<{ sku: string; available: number; seeded: number }> = await db(
      'inventory.stock',
    ).select('sku', 'available', 'seeded');
    for (const s of stock) assert.equal(s.available, s.seeded, `${s.sku} is back to its seeded level`);

    const again = await Promise.all(reservedOrders.slice(0, 3).map((orderId) => handleOne(release(orderId))));
    assert.ok(again.every((r) => r.type === 'StockReleased' && r.payload.released));
    for (const s of await db('inventory.stock').select<Array<{ available: number; seeded: number }>>(
      'available',
      'seeded',
    )) {
      assert.equal(s.available, s.seeded);
    }
    await assertConservation();
  });

  it('a release before any reservation leaves a tombstone: a late ReserveStock reserves nothing', async () => {
    const orderId = randomUUID();
    assert.deepEqual(await handleOne(release(orderId)), {
      type: 'StockReleased',
      payload: { orderId, released: false },
    });
    const row = await db('inventory.reservations')
      .where({ order_id: orderId })
      .first<{ status: string; reservation_id: null }>();
    assert.equal(row.status, 'RELEASED');
    assert.equal(row.reservation_id, null);
    const late = await handleOne(reserve(orderId, [{ sku: 'SKU-LTD', quantity: 1 }]));
    assert.deepEqual(late, {
      type: 'StockRejected',
      payload: { orderId, reason: 'out_of_stock', shortages: [] },
    });
    assert.equal(await available('SKU-LTD'), 5);
  });

  it('replies carry the order id as key, the correlation id, and the command id as causation', async () => {
    const command = reserve(randomUUID(), [{ sku: 'SKU-002', quantity: 1 }]);
    await handleOne(command);
    const row = await db('inventory.outbox')
      .whereRaw("headers->>'causation-id' = ?", [command.meta.messageId])
      .first<{ message_key: string; topic: string; headers: Record<string, string>; message_id: string }>();
    assert.equal(row.topic, Topics.inventoryEvents);
    assert.equal(row.message_key, command.meta.orderId);
    assert.equal(row.headers['correlation-id'], command.meta.correlationId);
    assert.equal(row.headers['order-id'], command.meta.orderId);
    assert.notEqual(row.message_id, command.meta.messageId);
  });
});
