import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queryBuilder } from '../../../lib/db/query-builder.ts';
import {
  OptimisticWriteFailedError,
  optimisticWriteAttempts,
  type UnitOfWork,
} from '../../../lib/db/unit-of-work.ts';
import { WriteBatch } from '../../../lib/db/write-batch.ts';
import type { ThrowawayDatabase } from '../../support/throwaway-database.ts';
import { createUnitOfWorkDatabase } from '../../support/unit-of-work-tables.ts';
import { waitFor } from '../../support/wait-for.ts';

/**
 * The unit of work on a real PostgreSQL is all or nothing: a failed guard, check, read or work
 * leaves no write behind and no lock held; what waits for the commit (callbacks, generated keys)
 * happens only after one.
 */
describe('unit of work (PostgreSQL): all or nothing', () => {
  let database: ThrowawayDatabase;
  before(async () => {
    database = await createUnitOfWorkDatabase();
    await database.db('wb_parent').insert({ id: 1, note: 'before the unit' });
  });
  after(async () => database.drop());

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
      assert.equal((await db('wb_parent').where({ id: 1 }).first()).note, 'before the unit');
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
