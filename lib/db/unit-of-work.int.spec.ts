import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { createLogger } from '../logger.ts';
import { isTransientError } from '../messaging/transient-errors.ts';
import { queryBuilder } from './query-builder.ts';
import { createUnitOfWorkRunner } from './unit-of-work.ts';
import { WriteBatch } from './write-batch.ts';

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
        unit.writes.addQuery(
          queryBuilder('wb_parent').insert([{ id: 1, note: "it's a ? and a \\ backslash" }, { id: 2 }]),
        );
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
        unit.writes.addQuery(queryBuilder('wb_parent').insert({ id: 5 }));
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
          unit.writes.addQuery(queryBuilder('wb_parent').insert({ id: 3 }));
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

  test('an error in the work sends no write and rolls the reads back', async () => {
    const { db, units } = database;
    await assert.rejects(
      units.run(async (unit) => {
        await unit.read(queryBuilder('wb_parent').select('id').where({ id: 100 }).forUpdate());
        unit.writes.addQuery(queryBuilder('wb_parent').insert({ id: 4 }));
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
      unit.writes.addQuery(queryBuilder('wb_parent').insert({ id: 6 }));
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
        unit.writes.addQuery(queryBuilder('wb_parent').insert({ id: 6 })); // duplicate key
      }),
      /duplicate key/,
    );
    await waitFor('the first callback', () => (seen.length >= 2 ? true : undefined));
    assert.deepEqual(seen, ['work done', 'committed row visible']);
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
