import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { HeaderNames } from '../../../lib/messaging/headers.ts';
import { createOutboxPool, lockKeyOf, OutboxBatchStatements } from '../../../lib/outbox/outbox-batch.ts';
import { orderTraceparent } from '../../../lib/tracing/traceparent.ts';
import { createMessagingTables } from '../../../migrations/messaging-tables.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';

/** The relay's statements on a real PostgreSQL: lock, read in order, delete with commit, prepared once. */
describe('outbox batch statements (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let pool: pg.Pool;
  const statements = new OutboxBatchStatements('obt', 50);

  const addRows = async (n: number) => {
    await database.db.raw(
      `insert into obt.outbox (message_id, topic, message_key, record_type, payload, headers)
       select gen_random_uuid(), 't', 'k' || i, 'R', '\\x00'::bytea, '{"h":"v"}' from generate_series(1, ?) i`,
      [n],
    );
  };
  const batch = async (using = statements) => {
    const client = await pool.connect();
    try {
      const rows = await using.lockAndRead(client);
      if (rows === null || rows.length === 0) {
        await client.query('commit');
        return rows;
      }
      await using.deleteAndCommit(client, rows);
      return rows;
    } finally {
      client.release();
    }
  };

  before(async () => {
    database = await createThrowawayDatabase();
    await database.db.raw('create schema obt');
    await createMessagingTables(database.db, 'obt');
    pool = createOutboxPool(database.url);
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  test('reads the oldest rows in seq order, deletes what it read with the commit, and yields to a lock holder', async () => {
    await addRows(3);
    const rows = await batch();
    assert.equal(rows?.length, 3);
    assert.deepEqual(
      rows?.map((r) => r.message_key),
      ['k1', 'k2', 'k3'],
    );
    assert.deepEqual(rows?.[0]?.headers, { h: 'v' });
    assert.ok(Buffer.isBuffer(rows?.[0]?.payload));
    assert.equal(Number((await database.db('obt.outbox').count({ n: '*' }))[0]?.n), 0);

    const holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select pg_advisory_xact_lock($1)', [lockKeyOf('obt')]);
      await addRows(1);
      assert.equal(await batch(), null, 'another instance holds the relay lock');
      await holder.query('commit');
    } finally {
      await holder.end();
    }
    assert.equal((await batch())?.length, 1);
  });

  test('prepared once per connection; the read stays on the index once a backlog builds', async () => {
    for (let i = 0; i < 8; i += 1) {
      await addRows(2);
      assert.equal((await batch())?.length, 2); // the server caches a generic plan of a nearly empty outbox
    }
    await addRows(20_000);
    const client = await pool.connect();
    try {
      const prepared = await client.query<{ name: string }>(
        'select name from pg_prepared_statements order by name',
      );
      assert.deepEqual(
        prepared.rows.map((r) => r.name),
        ['outbox_delete_obt', 'outbox_read_obt'],
      );
      await client.query('begin');
      // The plan the server caches for the statement (the one it runs once it stopped planning per call).
      await client.query('set local plan_cache_mode = force_generic_plan');
      const planOf = async (statement: string) =>
        (await client.query<{ 'QUERY PLAN': string }>(`explain (costs off) execute ${statement}`)).rows
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      const read = await planOf('outbox_read_obt');
      const removal = await planOf(`outbox_delete_obt('{1,2}')`);
      await client.query('rollback');
      for (const text of [read, removal]) {
        assert.doesNotMatch(text, /Seq Scan/, text);
        assert.match(text, /Index Scan (using|on) outbox_pkey/, text);
      }
    } finally {
      client.release();
    }
    const first = await batch();
    assert.equal(first?.length, 50);
    assert.ok((first?.[0]?.seq ?? 0) < (first?.[49]?.seq ?? 0));
  });

  test("rows of an order are read with the order's traceparent, unless the service sends none", async () => {
    const orderId = '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21';
    await database.db.raw('delete from obt.outbox'); // the backlog the test before left
    const addOrderRow = () =>
      database.db.raw(
        `insert into obt.outbox (message_id, topic, message_key, record_type, payload, headers)
         values (gen_random_uuid(), 't', ?, 'R', '\\x00'::bytea, ?)`,
        [orderId, JSON.stringify({ [HeaderNames.orderId]: orderId })],
      );
    await addOrderRow();
    const [traced] = (await batch()) ?? [];
    assert.equal(traced?.headers[HeaderNames.traceparent], orderTraceparent(orderId));
    await addOrderRow();
    const [untraced] = (await batch(new OutboxBatchStatements('obt', 50, false))) ?? [];
    assert.deepEqual(untraced?.headers, { [HeaderNames.orderId]: orderId });
  });

  test('names that could break the SQL are refused', () => {
    assert.throws(() => new OutboxBatchStatements('obt; drop table x', 10), /schema/);
    assert.throws(() => new OutboxBatchStatements('obt', 0), /batch size/);
  });
});
