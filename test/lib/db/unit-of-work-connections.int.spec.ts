import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queryBuilder } from '../../../lib/db/query-builder.ts';
import { createUnitOfWorkRunner } from '../../../lib/db/unit-of-work.ts';
import { createLogger } from '../../../lib/logger.ts';
import { isTransientError } from '../../../lib/messaging/transient-errors.ts';
import { createOutboxPool } from '../../../lib/outbox/outbox-batch.ts';
import { capturedLogger } from '../../support/captured-logger.ts';
import type { ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { createUnitOfWorkDatabase } from '../../support/unit-of-work-tables.ts';
import { waitFor } from '../../support/wait-for.ts';

/**
 * The unit of work's connections on a real PostgreSQL: a pool that runs dry, prepared statements
 * per connection, plans that stay good as tables grow, and the session options they start with.
 */
describe('unit of work (PostgreSQL): connections and statements', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createUnitOfWorkDatabase();
  });
  after(async () => database.drop());

  test('no connection in time is an infrastructure error: the consumer waits it out, it does not dead-letter', async () => {
    const narrow = createUnitOfWorkRunner({
      databaseUrl: database.url,
      maxConnections: 1,
      acquireTimeoutMs: 200,
      logger: createLogger('unit-of-work-it', 'silent'),
    });
    let release = () => {};
    let taken = false;
    const holding = narrow.run(async (unit) => {
      await unit.read(queryBuilder('wb_parent').select('id').where({ id: 100 }));
      taken = true;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    try {
      await waitFor('the only connection to be taken', () => (taken ? true : undefined));
      const error = await narrow
        .run(async () => undefined)
        .then(
          () => assert.fail('a second unit got a connection from a pool of one'),
          (rejected: unknown) => rejected,
        );
      assert.match(String(error), /timeout/i);
      assert.equal(isTransientError(error), true, String(error));
    } finally {
      release();
      await holding;
      await narrow.close();
    }
  });

  test('each statement text is prepared once per connection and then only bound, for batches of any size', async () => {
    const { logger, lines } = capturedLogger('warn');
    const single = createUnitOfWorkRunner({
      databaseUrl: database.url,
      maxConnections: 1,
      maxPreparedStatements: 3,
      logger,
    });
    const write = (ids: number[]) =>
      single.run(async (unit) => {
        unit.writes.add(
          'insert into wb_parent (id, note) select id, ? from unnest(?::int[]) as id',
          ['prepared', ids],
          {
            rows: ids.length,
            error: (touched) => new Error(`inserted ${touched} of ${ids.length}`),
          },
        );
      });
    const prepared = () =>
      single.run((unit) =>
        unit.read<{ statement: string }>({
          text: 'select statement from pg_prepared_statements order by name',
          values: [],
        }),
      );
    try {
      await write([201]);
      await write([202, 203, 204]);
      await assert.rejects(write([202, 205]), /duplicate key/, 'a failing execution of a prepared statement');
      await write([205, 206]);
      const statements = (await prepared()).map((row) => row.statement);
      assert.equal(
        statements.filter((text) => text.includes('wb_parent')).length,
        1,
        `one prepared write for batches of 1, 3 and 2 rows: ${statements.join(' | ')}`,
      );
      assert.ok(
        statements.some((text) => text.includes('pg_prepared_statements')),
        'the read is prepared too',
      );
      assert.deepEqual(
        (await database.db('wb_parent').where({ note: 'prepared' }).orderBy('id')).map((r) => r.id),
        [201, 202, 203, 204, 205, 206],
        'the rolled-back batch left nothing, the others everything',
      );

      // Past the limit (3: the write, the read, this one) texts run unnamed, with one warning.
      for (const n of [1, 2, 3]) {
        const [row] = await single.run((unit) =>
          unit.read<{ n: number }>({ text: `select ${n}::int as n, $1::text as t`, values: ['x'] }),
        );
        assert.equal(row?.n, n);
      }
      assert.equal((await prepared()).length, 3);
      const warnings = lines.filter((line) => String(line.msg).includes('statement name limit'));
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0]?.limit, 3);
    } finally {
      await single.close();
    }
  });

  test('a plan cached while the tables were small still finds rows by index once they are large', async () => {
    const { db } = database;
    // As wide as orders.orders: the planner then guesses few rows per page for a never-analysed table.
    await db.raw(
      'create table wb_orders (id uuid primary key, note text not null, items jsonb, address jsonb, a text, b text, c text)',
    );
    await db.raw(
      'create table wb_sagas (id uuid primary key references wb_orders (id), version int not null)',
    );
    const fill = async (n: number) => {
      await db.raw(
        `insert into wb_orders select gen_random_uuid(), 'n', '[]', '{}', 'a', 'b', 'c' from generate_series(1, ${n})`,
      );
      await db.raw('insert into wb_sagas select id, 1 from wb_orders on conflict do nothing');
    };
    await fill(20);
    const ids = (await db('wb_sagas').limit(2).pluck('id')) as string[];
    const lockRead = `select o.id, o.note, o.items, o.address, o.a, o.b, o.c, s.version from wb_sagas s join wb_orders o using (id)
      where s.id = any(?::uuid[]) order by s.id for update of s`;
    const single = createUnitOfWorkRunner({
      databaseUrl: database.url,
      maxConnections: 1,
      logger: createLogger('unit-of-work-it', 'silent'),
    });
    try {
      // More than five executions: the server now caches a generic plan, made on 20 rows.
      for (let i = 0; i < 8; i += 1) {
        const rows = await single.run((unit) => unit.read(queryBuilder.raw(lockRead, [ids])));
        assert.equal(rows.length, 2);
      }
      await fill(30_000);
      const plan = await single.run(async (unit) => {
        const [statement] = await unit.read<{ name: string }>({
          text: `select name from pg_prepared_statements
                  where statement like '%from wb_sagas s join wb_orders%' and statement not like '%pg_prepared%'`,
          values: [],
        });
        assert.ok(statement, 'the lock read is a prepared statement');
        const literal = `'{${ids.join(',')}}'`; // uuids read from the table: safe to inline
        return unit.read<{ 'QUERY PLAN': string }>({
          text: `explain (costs off) execute ${statement.name}(${literal})`,
          values: [],
        });
      });
      const text = plan.map((row) => row['QUERY PLAN']).join('\n');
      assert.doesNotMatch(text, /Seq Scan/, text);
      assert.match(text, /Index Scan using wb_orders_pkey/, text);
    } finally {
      await single.close();
    }
  });

  test("the user's PGOPTIONS reach the unit of work's and the relay's connections, with our own options", async () => {
    const saved = process.env.PGOPTIONS;
    const settings = {
      text: `select current_setting('synchronous_commit') as sync, current_setting('statement_timeout') as timeout,
                    current_setting('enable_seqscan') as seqscan`,
      values: [],
    };
    /** The settings a unit of work's and a relay's connection start with under this PGOPTIONS. */
    const sessionsWith = async (pgOptions: string | undefined) => {
      if (pgOptions === undefined) delete process.env.PGOPTIONS;
      else process.env.PGOPTIONS = pgOptions;
      const runner = createUnitOfWorkRunner({
        databaseUrl: database.url,
        maxConnections: 1,
        logger: createLogger('unit-of-work-it', 'silent'),
      });
      const relayPool = createOutboxPool(database.url);
      try {
        const [unit] = await runner.run((u) => u.read(settings));
        const { rows } = await relayPool.query(settings);
        return { unit, relay: rows[0] };
      } finally {
        await runner.close();
        await relayPool.end();
      }
    };
    try {
      const custom = await sessionsWith('-c synchronous_commit=off -c statement_timeout=4321');
      assert.deepEqual(custom.unit, { sync: 'off', timeout: '4321ms', seqscan: 'off' });
      assert.deepEqual(custom.relay, { sync: 'off', timeout: '4321ms', seqscan: 'off' });
      // By default the units of work commit as the server says (durably, unless it was told otherwise);
      // the relays' deletes never wait for a flush.
      const server = await database.db.raw<{ rows: Array<{ sync: string }> }>(
        "select current_setting('synchronous_commit') as sync",
      );
      const plain = await sessionsWith(undefined);
      assert.deepEqual([plain.unit?.sync, plain.unit?.seqscan], [server.rows[0]?.sync, 'off']);
      assert.deepEqual([plain.relay?.sync, plain.relay?.seqscan], ['off', 'off']);
    } finally {
      if (saved === undefined) delete process.env.PGOPTIONS;
      else process.env.PGOPTIONS = saved;
    }
  });
});
