import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { queryBuilder } from '../../../lib/db/query-builder.ts';
import {
  createUnitOfWorkRunner,
  OptimisticWriteFailedError,
  optimisticWriteAttempts,
  type UnitOfWork,
} from '../../../lib/db/unit-of-work.ts';
import { WriteBatch } from '../../../lib/db/write-batch.ts';
import { createLogger } from '../../../lib/logger.ts';
import { isTransientError } from '../../../lib/messaging/transient-errors.ts';
import { createOutboxPool } from '../../../lib/outbox/outbox-batch.ts';
import { capturedLogger } from '../../support/captured-logger.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { waitFor } from '../../support/wait-for.ts';

/**
 * Records, in order, when each statement was sent and when its answer came back (first word of the
 * SQL), for every node-postgres client in this process.
 */
function recordWire(): { events: string[]; stop(): void } {
  const events: string[] = [];
  const original = pg.Client.prototype.query;
  const word = (query: unknown) =>
    String(typeof query === 'string' ? query : ((query as { text?: string }).text ?? ''))
      .trim()
      .split(/\s/)[0]
      ?.toLowerCase();
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const name = word(args[0]);
    events.push(`sent ${name}`);
    const result = (original as (...a: unknown[]) => unknown).apply(this, args);
    if (result instanceof Promise) {
      void result.then(
        () => events.push(`done ${name}`),
        () => events.push(`failed ${name}`),
      );
    }
    return result;
  } as typeof original;
  return {
    events,
    stop: () => {
      pg.Client.prototype.query = original;
    },
  };
}

/** The unit of work on a real PostgreSQL: pipelined round trips, one write statement, all or nothing. */
describe('unit of work (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 4 });
    await database.db.raw('create table wb_parent (id int primary key, note text)');
    await database.db.raw(
      'create table wb_child (id int primary key, parent int not null references wb_parent (id))',
    );
    await database.db('wb_parent').insert({ id: 100, note: 'locked by a read' });
  });
  after(async () => database.drop());

  test('reads and writes cost two round trips: BEGIN rides with the first read, COMMIT with the write statement', async () => {
    const { db, units } = database;
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const notified = new Promise<string>((resolve) => listener.on('notification', (n) => resolve(n.channel)));
    await listener.query('listen wb_channel');
    const wire = recordWire();
    let read: Array<{ note: string }> = [];
    try {
      read = await units.run(async (unit) => {
        const rows = await unit.read<{ note: string }>(
          queryBuilder('wb_parent').select('note').where({ id: 100 }).forUpdate(),
        );
        unit.writes.add('insert into wb_parent (id, note) values (?, ?), (?, ?)', [
          1,
          "it's a ? and a \\ backslash",
          2,
          null,
        ]);
        // Sibling statements run on one snapshot; the foreign key is checked at the end of it.
        unit.writes.add('insert into wb_child (id, parent) select * from unnest(?::int[], ?::int[])', [
          [10, 11],
          [1, 2],
        ]);
        unit.writes.notify('wb_channel');
        return rows;
      });
    } finally {
      wire.stop();
    }
    assert.deepEqual(read, [{ note: 'locked by a read' }]);
    assert.deepEqual(
      wire.events,
      [
        'sent begin',
        'sent select', // sent before BEGIN's answer: pipelined
        'done begin',
        'done select',
        'sent with',
        'sent commit', // sent before the write's answer: pipelined
        'done with',
        'done commit',
      ],
      'two round trips, four statements',
    );
    assert.equal(await notified, 'wb_channel');
    await listener.end();
    const parents = await db('wb_parent').whereIn('id', [1, 2]).orderBy('id');
    assert.deepEqual(parents, [
      { id: 1, note: "it's a ? and a \\ backslash" },
      { id: 2, note: null },
    ]);
    assert.equal((await db('wb_child')).length, 2);
  });

  test('a unit that only writes is one statement without BEGIN or COMMIT', async () => {
    const wire = recordWire();
    try {
      await database.units.run(async (unit) => {
        unit.writes.add('insert into wb_parent (id) values (?)', [5]);
      });
    } finally {
      wire.stop();
    }
    assert.deepEqual(wire.events, ['sent with', 'done with']);
    assert.equal((await database.db('wb_parent').where({ id: 5 })).length, 1);
  });

  for (const withRead of [false, true]) {
    test(`a failed row-count guard ${withRead ? 'turns the pipelined COMMIT into a rollback' : 'aborts the lone write statement'} and reports the caller's error`, async () => {
      const { db, units } = database;
      await assert.rejects(
        units.run(async (unit) => {
          if (withRead)
            await unit.read(queryBuilder('wb_parent').select('id').where({ id: 100 }).forUpdate());
          unit.writes.add('insert into wb_parent (id) values (?)', [3]);
          unit.writes.add("update wb_parent set note = 'x' where id = any(?::int[])", [[1, 99]], {
            rows: 2,
            error: (touched) => new Error(`touched ${touched} of 2`),
          });
        }),
        /touched 1 of 2/,
      );
      assert.equal((await db('wb_parent').where({ id: 3 })).length, 0, 'the insert was rolled back');
      assert.equal((await db('wb_parent').where({ id: 1 }).first()).note, "it's a ? and a \\ backslash");
      // The connections are clean for the next units (no transaction left open, no lock held).
      const again = await Promise.all(
        [1, 2, 3, 4, 5].map(() =>
          units.run((unit) =>
            unit.read<{ id: number }>(queryBuilder('wb_parent').select('id').where({ id: 100 }).forUpdate()),
          ),
        ),
      );
      assert.deepEqual(
        again.flat(),
        [1, 2, 3, 4, 5].map(() => ({ id: 100 })),
      );
    });
  }

  test('an optimistic write that fails its check (OptimisticWriteFailedError) runs the work again, at most three times', async () => {
    const { db, units } = database;
    await db('wb_parent').insert({ id: 7, note: 'v2' });
    // The work believes the row says `assumed` (its cache) and writes only if it still does.
    let assumed = 'v1';
    let runs = 0;
    let ids = 700;
    const work = async (unit: UnitOfWork) => {
      runs += 1;
      ids += 1;
      unit.writes.add('insert into wb_child (id, parent) values (?, 7)', [ids]);
      unit.writes.addCheck('select 1 from wb_parent where id = 7 and note = ?', [assumed], {
        rows: 1,
        error: () => {
          assumed = 'v2'; // the cache owner refreshes its copy
          return new OptimisticWriteFailedError('row 7 changed');
        },
      });
    };
    await units.run(work);
    assert.equal(runs, 2, 'run again once the copy was refreshed');
    assert.deepEqual(
      (await db('wb_child').where({ parent: 7 })).map((r) => r.id),
      [702],
      'the stale attempt wrote nothing',
    );

    runs = 0;
    assumed = 'never';
    await assert.rejects(
      units.run(async (unit) => {
        assumed = 'never'; // a copy that stays stale however often it is refreshed
        await work(unit);
      }),
      OptimisticWriteFailedError,
    );
    assert.equal(runs, optimisticWriteAttempts, 'then the error is the caller’s');
    assert.equal(optimisticWriteAttempts, 3);
  });

  test('an error in the work sends no write and rolls the reads back', async () => {
    const { db, units } = database;
    await assert.rejects(
      units.run(async (unit) => {
        await unit.read(queryBuilder('wb_parent').select('id').where({ id: 100 }).forUpdate());
        unit.writes.add('insert into wb_parent (id) values (?)', [4]);
        throw new Error('decided not to');
      }),
      /decided not to/,
    );
    assert.equal((await db('wb_parent').where({ id: 4 })).length, 0);
    // The row lock was released: another transaction can take it without waiting.
    await db.transaction(async (trx) => {
      await trx.raw("set local lock_timeout = '1s'");
      await trx('wb_parent').where({ id: 100 }).forUpdate();
    });
  });

  test('a failing read rejects with the database error and leaves nothing behind', async () => {
    await assert.rejects(
      database.units.run(async (unit) => {
        await unit.read(queryBuilder('no_such_table').select('*'));
      }),
      /no_such_table/,
    );
    const [row] = await database.units.run((unit) =>
      unit.read<{ id: number }>(queryBuilder('wb_parent').select('id').where({ id: 100 })),
    );
    assert.deepEqual(row, { id: 100 });
  });

  test('after-commit callbacks run once the transaction committed, never after a rollback', async () => {
    const { db, units } = database;
    const seen: string[] = [];
    await units.run(async (unit) => {
      unit.writes.add('insert into wb_parent (id) values (?)', [6]);
      unit.afterCommit(async () => {
        const row = await db('wb_parent').where({ id: 6 }).first();
        seen.push(row ? 'committed row visible' : 'row missing');
      });
      seen.push('work done');
    });
    await assert.rejects(
      units.run(async (unit) => {
        await unit.read(queryBuilder('wb_parent').select('id').where({ id: 100 }));
        unit.afterCommit(() => seen.push('after a rollback'));
        unit.writes.add('insert into wb_parent (id) values (?)', [6]); // duplicate key
      }),
      /duplicate key/,
    );
    await waitFor('the first callback', () => (seen.length >= 2 ? true : undefined));
    assert.deepEqual(seen, ['work done', 'committed row visible']);
  });

  test('a returning write hands over the generated keys of its rows, in insertion order, only once committed', async () => {
    const { db, units } = database;
    await db.raw('create table wb_serial (seq bigserial primary key, label text not null)');
    for (const withRead of [false, true]) {
      const received: Array<readonly string[]> = [];
      const labels = ['c', 'a', 'b'].map((l) => `${l}-${withRead}`);
      await units.run(async (unit) => {
        if (withRead) await unit.read(queryBuilder('wb_parent').select('id').where({ id: 100 }));
        unit.writes.addReturning(
          'insert into wb_serial (label) select * from unnest(?::text[])',
          [labels],
          'seq',
          (seqs) => received.push(seqs),
        );
        assert.deepEqual(received, [], 'nothing before the commit');
      });
      assert.equal(received.length, 1);
      const stored = await db('wb_serial').whereIn('label', labels).select('seq', 'label');
      const labelOf = new Map(stored.map((r: { seq: number; label: string }) => [String(r.seq), r.label]));
      assert.deepEqual(
        received[0]?.map((seq) => labelOf.get(seq)),
        labels,
        'the i-th smallest seq is the i-th row',
      );
    }
    const afterRollback: Array<readonly string[]> = [];
    await assert.rejects(
      units.run(async (unit) => {
        await unit.read(queryBuilder('wb_parent').select('id').where({ id: 100 }));
        unit.writes.addReturning(
          'insert into wb_serial (label) select * from unnest(?::text[])',
          [['x']],
          'seq',
          (seqs) => afterRollback.push(seqs),
        );
        unit.writes.add('insert into wb_parent (id) values (?)', [100]); // duplicate key
      }),
      /duplicate key/,
    );
    assert.deepEqual(afterRollback, [], 'never for a rolled-back unit');
  });

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

  test('misuse fails loudly instead of losing writes', async () => {
    await assert.rejects(async () => await queryBuilder('wb_parent').select('id'), /unit\.read\(\)/);
    const batch = new WriteBatch();
    assert.throws(() => batch.add('insert into wb_parent (id) values (5) returning id', []), /must not/);
    assert.throws(() => batch.notify('bad channel; drop table x'), /plain channel/);
    assert.throws(
      () => batch.add('delete from wb_parent', [], { rows: -1, error: () => new Error() }),
      /non-negative/,
    );
  });
});
