/**
 * Inventory's HTTP app against a real PostgreSQL (throwaway database): the stock listing with the
 * seeded catalog, then the operator actions — a catalog price change and fault switches, each with
 * its audit row and AuditRecorded message (JSON outbox: no registry needed here;
 * test/lib/audit/audit-trail.int.spec.ts covers the Avro path).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Knex } from '../../lib/db/database.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { seedCatalog } from '../../migrations/seed-catalog.ts';
import {
  createThrowawayDatabase,
  participantApp,
  type ThrowawayDatabase,
} from '../../test/support/participant-fixtures.ts';
import { bearer } from '../../test/support/tokens.ts';
import { buildApp } from './app.ts';
import type { StockLevel } from './inventory-store.ts';

let database: ThrowawayDatabase;
let db: Knex;
let app: FastifyInstance;
const faults = new FaultSwitch();

before(async () => {
  database = await createThrowawayDatabase({ poolMax: 4 });
  db = database.db;
  app = await participantApp('inventory', buildApp, database, faults);
});
after(async () => {
  await app?.close();
  await database?.drop();
});

const auditOf = (target: string) =>
  db('inventory.audit')
    .where({ target })
    .orderBy([{ column: 'at' }, { column: 'audit_id' }])
    .select('*');
const auditMessagesOf = (target: string) =>
  db('inventory.outbox')
    .where({ message_key: target, record_type: 'AuditRecorded' })
    .orderBy('seq')
    .select('headers', 'payload');
const priceOf = async (sku: string) =>
  (await db('inventory.stock').where({ sku }).first('unit_price', 'currency')) as {
    unit_price: number;
    currency: string;
  };
const putPrice = (sku: string, payload: unknown) =>
  app.inject({
    method: 'PUT',
    url: `/stock/${sku}/price`,
    payload: payload as object,
    headers: bearer('operator'),
  });

// First: the price changes below edit the seeded catalog.
describe('GET /stock (PostgreSQL)', () => {
  it('lists every SKU with name, available, seeded and catalog price; GET /stock/:sku shows one; unknown → 404', async () => {
    const list = await app.inject({ method: 'GET', url: '/stock', headers: bearer('customer') });
    assert.equal(list.statusCode, 200);
    const items: Array<Omit<StockLevel, 'updatedAt'>> = list.json().items;
    for (const seeded of seedCatalog) {
      const item = items.find((i) => i.sku === seeded.sku);
      assert.ok(item, `${seeded.sku} is listed`);
      assert.equal(item.name, seeded.name);
      assert.equal(item.seeded, seeded.quantity);
      assert.equal(item.unitPrice, seeded.unitPrice);
      assert.equal(item.currency, 'EUR');
    }
    const one = await app.inject({ method: 'GET', url: '/stock/SKU-LTD', headers: bearer('customer') });
    assert.equal(one.statusCode, 200);
    const stored = await db('inventory.stock')
      .where({ sku: 'SKU-LTD' })
      .first<{ available: number }>('available');
    assert.equal(one.json().available, stored.available);
    assert.equal(one.json().unitPrice, 4900);
    assert.equal(one.json().currency, 'EUR');
    const unknown = await app.inject({ method: 'GET', url: '/stock/NOPE-42', headers: bearer('customer') });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().message, /unknown SKU 'NOPE-42'/);
  });
});

describe('PUT /stock/:sku/price (PostgreSQL)', () => {
  it('changes the price and audits it (old and new price) in the same transaction', async () => {
    const before = await priceOf('SKU-002');
    const response = await putPrice('SKU-002', { unitPrice: 2599, currency: 'EUR' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { sku: 'SKU-002', unitPrice: 2599, currency: 'EUR' });
    assert.deepEqual(await priceOf('SKU-002'), { unit_price: 2599, currency: 'EUR' });

    const [row, ...more] = await auditOf('sku:SKU-002');
    assert.deepEqual(more, []);
    assert.equal(row.action, 'price_changed');
    assert.equal(row.outcome, 'applied');
    assert.deepEqual(row.detail, {
      old: { unitPrice: before.unit_price, currency: before.currency },
      new: { unitPrice: 2599, currency: 'EUR' },
    });
    const [message] = await auditMessagesOf('sku:SKU-002');
    assert.ok(message);
    assert.equal(message.headers['message-id'], row.audit_id);
    assert.equal(message.headers['order-id'], undefined, 'a SKU is no order');
    const payload = JSON.parse(message.payload.toString());
    assert.equal(payload.service, 'inventory');
    assert.deepEqual(JSON.parse(payload.detail), row.detail);

    const listed = await app.inject({
      method: 'GET',
      url: '/audit?target=sku:SKU-002',
      headers: bearer('operator'),
    });
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(
      listed.json().items.map((i: { action: string; outcome: string }) => [i.action, i.outcome]),
      [['price_changed', 'applied']],
    );
  });

  it('an unknown SKU is a 404, audited as not_found, and changes nothing', async () => {
    const response = await putPrice('NOPE-9', { unitPrice: 100, currency: 'EUR' });
    assert.equal(response.statusCode, 404);
    assert.match(response.json().message, /unknown SKU 'NOPE-9'/);
    assert.deepEqual(
      (await auditOf('sku:NOPE-9')).map((r) => [r.action, r.outcome]),
      [['price_changed', 'not_found']],
    );
    assert.equal((await db('inventory.stock').where({ sku: 'NOPE-9' })).length, 0);
  });

  it('a bad body is a 400 naming the field, with no change and no audit record', async () => {
    const before = await priceOf('SKU-003');
    const cases: Array<[unknown, RegExp]> = [
      [{ unitPrice: -1, currency: 'EUR' }, /body\.unitPrice/],
      [{ unitPrice: 1.5, currency: 'EUR' }, /body\.unitPrice/],
      [{ unitPrice: '100', currency: 'EUR' }, /body\.unitPrice/],
      [{ currency: 'EUR' }, /body\.unitPrice is required/],
      [{ unitPrice: 100, currency: 'euro' }, /body\.currency/],
      [{ unitPrice: 100, currency: 'EUR', note: 'x' }, /body\.note is not a known field/],
    ];
    for (const [body, field] of cases) {
      const response = await putPrice('SKU-003', body);
      assert.equal(response.statusCode, 400, JSON.stringify(body));
      assert.match(response.json().message, field, JSON.stringify(body));
    }
    assert.deepEqual(await priceOf('SKU-003'), before);
    assert.deepEqual(await auditOf('sku:SKU-003'), []);
  });
});

describe('fault switches, audited (PostgreSQL)', () => {
  it('POST and DELETE /faults each leave an audit row and an AuditRecorded message', async () => {
    const set = await app.inject({
      method: 'POST',
      url: '/faults',
      headers: bearer('operator'),
      payload: { mode: 'fail', commands: ['ReleaseStock'] },
    });
    assert.equal(set.statusCode, 200);
    assert.equal(faults.matches('fail', 'ReleaseStock'), true);
    assert.equal(
      (await app.inject({ method: 'DELETE', url: '/faults', headers: bearer('operator') })).statusCode,
      204,
    );
    assert.equal(faults.active, null);

    const rows = await auditOf('faults:inventory');
    assert.deepEqual(
      rows.map((r) => [r.actor, r.role, r.action, r.outcome, r.detail.fault?.mode]),
      [
        ['operator-1', 'operator', 'fault_set', 'applied', 'fail'],
        ['operator-1', 'operator', 'fault_cleared', 'applied', 'fail'],
      ],
    );
    assert.deepEqual(rows[0].detail.fault.commands, ['ReleaseStock']);
    const messages = await auditMessagesOf('faults:inventory');
    assert.deepEqual(
      messages.map((m) => m.headers['message-id']),
      rows.map((r) => r.audit_id),
    );
    const listed = await app.inject({
      method: 'GET',
      url: '/audit?target=faults:inventory&limit=1',
      headers: bearer('operator'),
    });
    assert.deepEqual(
      listed.json().items.map((i: { action: string }) => i.action),
      ['fault_cleared'],
      'newest first, limited to one',
    );
  });
});
