import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { defaultDatabaseUrl } from '../lib/config/common-config.ts';
import { createDatabase, dropDatabase, ensureDatabaseExists, migrateLatest } from '../lib/db/database.ts';
import { migrationSource } from './index.ts';
import { seedCatalog } from './seed-catalog.ts';

/** The migrations on a real, empty PostgreSQL database. */
describe('migrations (PostgreSQL)', () => {
  const url = new URL(process.env.DATABASE_URL ?? defaultDatabaseUrl);
  url.pathname = `/order_saga_migrations_${randomBytes(4).toString('hex')}`;
  const db = createDatabase(url.toString(), { poolMax: 2 });
  after(async () => {
    await db.destroy();
    await dropDatabase(url.toString());
  });

  /** Runs `check` on a database of its own migrated up to the first `applied` migrations, as one deployed then. */
  async function onDatabaseMigratedUpTo(
    suffix: string,
    applied: number,
    check: (upgraded: ReturnType<typeof createDatabase>) => Promise<void>,
  ): Promise<void> {
    const upgradedUrl = new URL(url);
    upgradedUrl.pathname = `${url.pathname}_${suffix}`;
    await ensureDatabaseExists(upgradedUrl.toString());
    const upgraded = createDatabase(upgradedUrl.toString(), { poolMax: 2 });
    try {
      const config = { migrationSource, tableName: 'knex_migrations', schemaName: 'public' };
      for (let i = 0; i < applied; i++) await upgraded.migrate.up(config);
      await check(upgraded);
    } finally {
      await upgraded.destroy();
      await dropDatabase(upgradedUrl.toString());
    }
  }

  test('apply to an empty database, then a second run is a no-op', async () => {
    await ensureDatabaseExists(url.toString());
    const first = await migrateLatest(db, migrationSource);
    assert.deepEqual(first, [
      '20261122_001_orders',
      '20261122_002_inventory',
      '20261122_003_payment',
      '20261122_004_shipping',
      '20261201_005_history_without_order_fk',
      '20261201_006_fewer_hot_path_indexes',
      '20261201_007_write_batch_guard',
      '20261202_008_sagas_in_flight',
      '20261203_009_outbox_headers_json',
      '20261207_010_orders_by_customer',
      '20261207_011_audit',
      '20261207_012_catalog_prices',
      '20261207_013_service_roles',
      '20261207_014_order_contact',
      '20261207_015_notifications',
      '20261207_016_pruning_grants',
      '20261207_017_delivery_stages',
      '20261207_018_saga_parked',
    ]);
    const customerIndex = await db.raw<{ rows: Array<{ def: string }> }>(
      `select indexdef as def from pg_indexes where schemaname = 'orders' and indexname = 'orders_customer_created_idx'`,
    );
    assert.match(
      customerIndex.rows[0]?.def ?? 'missing',
      /\(customer_id, created_at DESC, order_id DESC\)/,
      "a customer's order list reads its own index (010)",
    );
    const headerTypes = await db.raw<{ rows: Array<{ schema: string; type: string }> }>(
      `select table_schema as schema, data_type as type from information_schema.columns
        where table_name = 'outbox' and column_name = 'headers' order by 1`,
    );
    assert.deepEqual(
      headerTypes.rows,
      ['inventory', 'notifications', 'orders', 'payment', 'shipping'].map((schema) => ({
        schema,
        type: 'json',
      })),
      'outbox headers are json: only the relay reads them, whole (009)',
    );
    const foreignKeys = await db.raw<{ rows: Array<{ table: string; name: string }> }>(
      `select conrelid::regclass::text as table, conname as name from pg_constraint
        where contype = 'f' and connamespace = 'orders'::regnamespace order by 1, 2`,
    );
    assert.deepEqual(
      foreignKeys.rows.map((r) => r.table),
      ['orders.sagas'],
      'sagas reference their order; history rows are not FK-checked (one lock per row saved)',
    );
    const indexes = await db.raw<{ rows: Array<{ name: string }> }>(
      `select schemaname || '.' || indexname as name from pg_indexes
        where tablename in ('outbox', 'saga_history') order by 1`,
    );
    assert.deepEqual(
      indexes.rows.map((r) => r.name),
      [
        'inventory.outbox_pkey',
        'notifications.outbox_pkey',
        'orders.outbox_pkey',
        'orders.saga_history_pkey',
        'payment.outbox_pkey',
        'shipping.outbox_pkey',
      ],
      'one index per outbox and history row written',
    );
    const tables = await db('information_schema.tables')
      .whereIn('table_schema', ['orders', 'inventory', 'payment', 'shipping', 'notifications'])
      .select(db.raw("table_schema || '.' || table_name as name"))
      .orderBy('name');
    const names = tables.map((t: { name: string }) => t.name);
    for (const expected of [
      'orders.orders',
      'orders.sagas',
      'orders.saga_history',
      'orders.outbox',
      'orders.inbox',
      'orders.sagas_in_flight',
      'inventory.stock',
      'inventory.reservations',
      'payment.payments',
      'payment.ledger',
      'shipping.shipments',
      'notifications.contacts',
      'notifications.sent',
    ]) {
      assert.ok(names.includes(expected), `${expected} exists`);
    }
    for (const schema of ['orders', 'inventory', 'payment', 'shipping', 'notifications']) {
      assert.ok(
        names.includes(`${schema}.outbox`) && names.includes(`${schema}.inbox`),
        `${schema} has its outbox and inbox`,
      );
    }
    const stock = await db('inventory.stock').count<{ count: string }[]>({ count: '*' });
    assert.equal(Number(stock[0]?.count), seedCatalog.length, 'the catalog is seeded once');

    const second = await migrateLatest(db, migrationSource);
    assert.deepEqual(second, [], 'nothing left to apply');
    const stockAgain = await db('inventory.stock').count<{ count: string }[]>({ count: '*' });
    assert.equal(Number(stockAgain[0]?.count), seedCatalog.length, 'a re-run seeds nothing twice');
  });

  test('the in-flight counter (008) starts from the sagas already in flight on an upgraded database', async () => {
    // Up to 007, as a database deployed before the counter existed.
    await onDatabaseMigratedUpTo('upgrade', 7, async (upgraded) => {
      const order = (status: string) => ({
        order_id: randomUUID(),
        customer_id: 'c-upgrade',
        items: JSON.stringify([{ sku: 'SKU-001', quantity: 1, unitPrice: 100 }]),
        total: 100,
        currency: 'EUR',
        payment_token: 'tok_visa',
        shipping_address: JSON.stringify({ name: 'A' }),
        status,
        correlation_id: randomUUID(),
      });
      await upgraded('orders.orders').insert([
        order('PENDING'),
        order('PENDING'),
        order('PENDING'),
        order('COMPLETED'),
        order('CANCELLED'),
        order('FAILED'),
      ]);
      assert.deepEqual(await migrateLatest(upgraded, migrationSource), [
        '20261202_008_sagas_in_flight',
        '20261203_009_outbox_headers_json',
        '20261207_010_orders_by_customer',
        '20261207_011_audit',
        '20261207_012_catalog_prices',
        '20261207_013_service_roles',
        '20261207_014_order_contact',
        '20261207_015_notifications',
        '20261207_016_pruning_grants',
        '20261207_017_delivery_stages',
        '20261207_018_saga_parked',
      ]);
      const slots = await upgraded('orders.sagas_in_flight').select('slot', 'sagas').orderBy('slot');
      assert.equal(slots.length, 16);
      assert.equal(
        slots.reduce((sum: number, row: { sagas: string }) => sum + Number(row.sagas), 0),
        3,
        'the three PENDING orders are in flight',
      );
    });
  });

  test('messages waiting in an outbox keep their headers when the column becomes json (009)', async () => {
    await onDatabaseMigratedUpTo('upgrade_009', 8, async (upgraded) => {
      const headers = { 'message-id': randomUUID(), 'record-type': 'ReserveStock', note: 'é "quoted"' };
      for (const schema of ['orders', 'payment'])
        await upgraded(`${schema}.outbox`).insert({
          message_id: headers['message-id'],
          topic: `${schema}-topic`,
          message_key: 'k',
          record_type: 'ReserveStock',
          payload: Buffer.from([1, 2, 3]),
          headers: JSON.stringify(headers),
        });
      assert.deepEqual(await migrateLatest(upgraded, migrationSource), [
        '20261203_009_outbox_headers_json',
        '20261207_010_orders_by_customer',
        '20261207_011_audit',
        '20261207_012_catalog_prices',
        '20261207_013_service_roles',
        '20261207_014_order_contact',
        '20261207_015_notifications',
        '20261207_016_pruning_grants',
        '20261207_017_delivery_stages',
        '20261207_018_saga_parked',
      ]);
      for (const schema of ['orders', 'payment']) {
        const rows = await upgraded(`${schema}.outbox`).select('headers', 'payload');
        assert.deepEqual(rows, [{ headers, payload: Buffer.from([1, 2, 3]) }], schema);
      }
    });
  });

  test('catalog prices (012): every seeded SKU gets its price and EUR; an order total may be unknown', async () => {
    await onDatabaseMigratedUpTo('prices', 9, async (upgraded) => {
      assert.deepEqual(await migrateLatest(upgraded, migrationSource), [
        '20261207_010_orders_by_customer',
        '20261207_011_audit',
        '20261207_012_catalog_prices',
        '20261207_013_service_roles',
        '20261207_014_order_contact',
        '20261207_015_notifications',
        '20261207_016_pruning_grants',
        '20261207_017_delivery_stages',
        '20261207_018_saga_parked',
      ]);
      const stock: Array<{ sku: string; unit_price: number; currency: string }> = await upgraded(
        'inventory.stock',
      ).select('sku', 'unit_price', 'currency');
      assert.deepEqual(
        Object.fromEntries(stock.map((s) => [s.sku, [Number(s.unit_price), s.currency]])),
        Object.fromEntries(seedCatalog.map((s) => [s.sku, [s.unitPrice, 'EUR']])),
      );
      assert.equal(
        Number(stock.find((s) => s.sku === 'SKU-001')?.unit_price),
        1999,
        'the README example price',
      );
      await upgraded('orders.orders').insert({
        order_id: randomUUID(),
        customer_id: 'c-prices',
        items: JSON.stringify([{ sku: 'SKU-001', quantity: 1, unitPrice: null }]),
        total: null,
        currency: 'EUR',
        payment_token: 'tok_visa',
        shipping_address: JSON.stringify({ name: 'A' }),
        status: 'PENDING',
        correlation_id: randomUUID(),
      });
      await assert.rejects(
        upgraded('inventory.stock').where({ sku: 'SKU-001' }).update({ unit_price: -1 }),
        /stock_unit_price_non_negative/,
      );
    });
  });
  test('parked sagas (018): a FAILED order whose saga is in a step is marked parked; the rest are not', async () => {
    await onDatabaseMigratedUpTo('parked', 17, async (upgraded) => {
      const saga = async (status: string, state: string) => {
        const orderId = randomUUID();
        await upgraded('orders.orders').insert({
          order_id: orderId,
          customer_id: 'c-parked',
          items: JSON.stringify([{ sku: 'SKU-001', quantity: 1, unitPrice: 100 }]),
          total: 100,
          currency: 'EUR',
          payment_token: 'tok_visa',
          shipping_address: JSON.stringify({ name: 'A' }),
          status,
          correlation_id: randomUUID(),
        });
        await upgraded('orders.sagas').insert({
          order_id: orderId,
          state,
          snapshot: JSON.stringify({ value: state, context: {} }),
          version: 1,
        });
        return orderId;
      };
      const parked = await saga('FAILED', 'refundingPayment');
      const failed = await saga('FAILED', 'failed');
      const running = await saga('PENDING', 'refundingPayment');
      assert.deepEqual(await migrateLatest(upgraded, migrationSource), ['20261207_018_saga_parked']);
      const flags = await upgraded('orders.sagas').select('order_id', 'parked');
      const flagOf = (id: string) => flags.find((f: { order_id: string }) => f.order_id === id)?.parked;
      assert.deepEqual([flagOf(parked), flagOf(failed), flagOf(running)], [true, false, false]);
    });
  });
});
