import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createLogger } from '../../../lib/logger.ts';
import { createOutboxVacuum } from '../../../lib/outbox/outbox-vacuum.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { waitFor } from '../../support/wait-for.ts';

const logger = createLogger('outbox-vacuum-it', 'warn');

/** Buffers the relay's read of the oldest rows touches (what a relay pays per batch). */
async function buffersOfRelayRead(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ 'QUERY PLAN': Array<{ Plan: { 'Shared Hit Blocks': number } }> }>(
    'explain (analyze, buffers, format json) select seq, topic, message_key, payload, headers from orders.outbox order by seq limit 500',
  );
  const plan = rows[0]?.['QUERY PLAN'][0]?.Plan;
  assert.ok(plan, 'explain returned a plan');
  return plan['Shared Hit Blocks'];
}

describe('outbox vacuum (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let client: pg.Client;

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 2 });
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  after(async () => {
    await client.end();
    await database.drop();
  });

  test('published rows deleted by the relay stop costing its reads once the threshold vacuums them', async () => {
    const vacuum = createOutboxVacuum({
      databaseUrl: database.url,
      table: 'orders.outbox',
      everyRows: 5_000,
      logger,
    });
    try {
      // 20,000 rows published and deleted, as the relay does (several batches), then 3 live ones.
      for (let batch = 0; batch < 4; batch++) {
        await client.query(
          `insert into orders.outbox (message_id, topic, message_key, record_type, payload, headers)
           select gen_random_uuid(), 'order-events', 'k' || i, 'OrderStatusChanged', convert_to(repeat('x', 200), 'UTF8'), '{}'
             from generate_series(1, 5000) i`,
        );
        await client.query('delete from orders.outbox');
      }
      await client.query(
        `insert into orders.outbox (message_id, topic, message_key, record_type, payload, headers)
         select gen_random_uuid(), 'order-events', 'live', 'OrderStatusChanged', '\\x00', '{}' from generate_series(1, 3)`,
      );
      // The relay's read walks over every dead index entry in front of the live rows.
      const before = await buffersOfRelayRead(client);
      assert.ok(before > 40, `expected the read to walk over the dead rows, touched ${before} buffers`);

      vacuum.deleted(4_999);
      assert.equal(vacuum.runs, 0, 'below the threshold nothing runs');
      vacuum.deleted(15_001);
      await waitFor('the vacuum to complete', () => (vacuum.runs === 1 ? true : undefined));

      const afterVacuum = await buffersOfRelayRead(client);
      assert.ok(
        afterVacuum <= 5,
        `expected a read of a few buffers after the vacuum, touched ${afterVacuum}`,
      );
      const { rows } = await client.query<{ vacuum_count: string }>(
        "select vacuum_count from pg_stat_user_tables where schemaname = 'orders' and relname = 'outbox'",
      );
      assert.equal(Number(rows[0]?.vacuum_count), 1, "the server's statistics record the vacuum");
      const live = await client.query('select count(*)::int as n from orders.outbox');
      assert.equal(live.rows[0]?.n, 3, 'live rows are untouched');
    } finally {
      await vacuum.stop();
    }
  });

  test('the vacuum keeps the emptied pages for the next rows instead of truncating the table', async () => {
    await client.query('create table orders.outbox_pages (like orders.outbox including all)');
    const vacuum = createOutboxVacuum({
      databaseUrl: database.url,
      table: 'orders.outbox_pages',
      everyRows: 1,
      logger,
    });
    const size = async () =>
      Number(
        (await client.query<{ bytes: string }>("select pg_relation_size('orders.outbox_pages') as bytes"))
          .rows[0]?.bytes,
      );
    try {
      await client.query(
        `insert into orders.outbox_pages (message_id, topic, message_key, record_type, payload, headers)
         select gen_random_uuid(), 'order-events', 'k' || i, 'OrderStatusChanged', convert_to(repeat('x', 200), 'UTF8'), '{}'
           from generate_series(1, 5000) i`,
      );
      const filled = await size();
      await client.query('delete from orders.outbox_pages');
      vacuum.deleted(5_000);
      await waitFor('the vacuum to complete', () => (vacuum.runs === 1 ? true : undefined));
      // A plain VACUUM would cut the file down to nothing here (every page empty, no lock conflict).
      assert.equal(await size(), filled, 'the table keeps its pages');
      const { rows } = await client.query<{ dead: string }>(
        "select n_dead_tup as dead from pg_stat_user_tables where schemaname = 'orders' and relname = 'outbox_pages'",
      );
      assert.equal(Number(rows[0]?.dead), 0, 'the dead rows are gone');
    } finally {
      await vacuum.stop();
    }
  });
});
