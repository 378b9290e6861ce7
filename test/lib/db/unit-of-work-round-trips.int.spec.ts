import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { queryBuilder } from '../../../lib/db/query-builder.ts';
import type { ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { createUnitOfWorkDatabase } from '../../support/unit-of-work-tables.ts';

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

/** The unit of work's round trips on a real PostgreSQL: pipelined, one write statement. */
describe('unit of work (PostgreSQL): round trips', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createUnitOfWorkDatabase();
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
});
