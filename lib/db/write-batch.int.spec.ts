import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import { inBatchedTransaction, WriteBatch, writesOf } from './write-batch.ts';

/** The write batch on a real PostgreSQL: one statement, all or nothing, loud when misused. */
describe('write batch (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 4 });
    await database.db.raw('create table wb_parent (id int primary key, note text)');
    await database.db.raw(
      'create table wb_child (id int primary key, parent int not null references wb_parent (id))',
    );
  });
  after(async () => database.drop());

  test('every write of the transaction reaches the database, in one statement, with its NOTIFY', async () => {
    const { db } = database;
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const notified = new Promise<string>((resolve) => listener.on('notification', (n) => resolve(n.channel)));
    await listener.query('listen wb_channel');
    const statements: string[] = [];
    const record = (query: { sql: string }) => statements.push(query.sql);
    db.on('query', record);
    try {
      await inBatchedTransaction(db, async (trx) => {
        const writes = writesOf(trx);
        writes.addQuery(trx('wb_parent').insert([{ id: 1, note: "it's a ? and a \\ backslash" }, { id: 2 }]));
        // Sibling statements run on one snapshot; the foreign key is checked at the end of it.
        writes.add('insert into wb_child (id, parent) select * from unnest(?::int[], ?::int[])', [
          [10, 11],
          [1, 2],
        ]);
        writes.notify('wb_channel');
      });
    } finally {
      db.off('query', record);
    }
    assert.deepEqual(
      statements.map((s) => s.split(/\s/)[0]?.toLowerCase()),
      ['begin;', 'with', 'commit;'],
      'BEGIN, one write statement, COMMIT',
    );
    assert.equal(await notified, 'wb_channel');
    await listener.end();
    const parents = await db('wb_parent').orderBy('id');
    assert.deepEqual(parents, [
      { id: 1, note: "it's a ? and a \\ backslash" },
      { id: 2, note: null },
    ]);
    assert.equal((await db('wb_child')).length, 2);
  });

  test('a row-count expectation that fails rolls the whole transaction back with its error', async () => {
    const { db } = database;
    await assert.rejects(
      inBatchedTransaction(db, async (trx) => {
        const writes = writesOf(trx);
        writes.addQuery(trx('wb_parent').insert({ id: 3 }));
        writes.add("update wb_parent set note = 'x' where id = any(?::int[])", [[1, 99]], {
          rows: 2,
          error: (touched) => new Error(`touched ${touched} of 2`),
        });
      }),
      /touched 1 of 2/,
    );
    assert.equal((await db('wb_parent').where({ id: 3 })).length, 0, 'the insert was rolled back');
    assert.equal((await db('wb_parent').where({ id: 1 }).first()).note, "it's a ? and a \\ backslash");
  });

  test('an error in the work sends no write at all', async () => {
    const { db } = database;
    await assert.rejects(
      inBatchedTransaction(db, async (trx) => {
        writesOf(trx).addQuery(trx('wb_parent').insert({ id: 4 }));
        throw new Error('decided not to');
      }),
      /decided not to/,
    );
    assert.equal((await db('wb_parent').where({ id: 4 })).length, 0);
  });

  test('writes outside a batched transaction fail loudly instead of being lost', async () => {
    await assert.rejects(
      database.db.transaction(async (trx) => {
        writesOf(trx);
      }),
      /inBatchedTransaction/,
    );
    const batch = new WriteBatch();
    assert.throws(() => batch.add('insert into wb_parent (id) values (5) returning id', []), /must not/);
    assert.throws(() => batch.notify('bad channel; drop table x'), /plain channel/);
  });
});
