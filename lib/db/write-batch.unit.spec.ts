import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { composeWrites, WriteBatch } from './write-batch.ts';

describe('write batch (pure)', () => {
  test('each write becomes a CTE; guarded ones are checked by write_batch_expect in the final SELECT', () => {
    const sql = composeWrites(
      [
        { sql: 'insert into a (x) values (?)', guarded: false },
        { sql: 'update b set y = ?', guarded: true },
      ],
      ['a_outbox'],
    );
    assert.equal(
      sql,
      [
        'with w0 as (insert into a (x) values (?) returning 1),',
        'w1 as (update b set y = ? returning 1)',
        "select (select count(*) from w0)::int as c0, public.write_batch_expect(1, (select count(*) from w1), ?::bigint)::int as c1, pg_notify('a_outbox', '') as n0",
      ].join('\n'),
    );
  });

  test('a returning write returns its column as a sorted text array and hands it over on delivery', () => {
    const sql = composeWrites(
      [{ sql: 'insert into a (x) values (?)', guarded: false, returning: 'seq' }],
      [],
    );
    assert.equal(
      sql,
      [
        'with w0 as (insert into a (x) values (?) returning seq)',
        'select (select count(*) from w0)::int as c0, (select array_agg(seq order by seq) from w0)::text[] as r0',
      ].join('\n'),
    );
    const batch = new WriteBatch();
    const received: Array<readonly string[]> = [];
    batch.add('update b set y = 1', []);
    batch.addReturning('insert into a (x) select * from unnest(?::int[])', [[1, 2]], 'seq', (v) =>
      received.push(v),
    );
    assert.match(batch.toStatement()?.text ?? '', /w1 as \(insert .* returning seq\)/);
    batch.deliver({ c0: 1, c1: 2, r1: ['41', '42'] });
    assert.deepEqual(received, [['41', '42']]);
    assert.throws(() => batch.deliver({ c0: 1, c1: 2, r1: 'oops' }), /column r1 .* not a text array/);
    assert.throws(
      () => batch.addReturning('insert into a (x) values (1)', [], 'seq; drop', () => undefined),
      /column name/,
    );
  });

  test('a check is a guarded SELECT among the writes: its CTE returns its own rows, not 1', () => {
    const batch = new WriteBatch();
    batch.add('update a set x = 1 where id = ?', [7]);
    batch.addCheck('select 1 from b where id = any(?::int[]) and v = 2', [[1, 2]], {
      rows: 2,
      error: () => new Error('stale'),
    });
    const statement = batch.toStatement();
    assert.ok(statement);
    assert.match(statement.text, /w1 as \(select 1 from b where id = any\(\$2::int\[\]\) and v = 2\)\n/);
    assert.doesNotMatch(statement.text, /v = 2 returning/);
    assert.match(statement.text, /write_batch_expect\(1, \(select count\(\*\) from w1\), \$3::bigint\)/);
    assert.deepEqual(statement.values, [7, [1, 2], 2]);
    assert.throws(
      () => batch.addCheck('delete from b', [], { rows: 0, error: () => new Error() }),
      /must be a SELECT/,
    );
  });

  test('the statement numbers the placeholders of all writes in order and keeps array values whole', () => {
    const batch = new WriteBatch();
    batch.add('insert into a (x, y) select * from unnest(?::uuid[], ?::text[])', [
      ['u1', 'u2'],
      ['p', 'q'],
    ]);
    batch.add('update b set note = ? where id = ?', ['n', 7]);
    const statement = batch.toStatement();
    assert.ok(statement);
    assert.match(statement.text, /unnest\(\$1::uuid\[\], \$2::text\[\]\)/);
    assert.match(statement.text, /update b set note = \$3 where id = \$4/);
    assert.deepEqual(statement.values, [['u1', 'u2'], ['p', 'q'], 'n', 7]);
    assert.equal(new WriteBatch().toStatement(), null, 'nothing to write, no statement');
  });

  test('the rows a guard expects are bound after the writes, so the text does not change with them', () => {
    const statementFor = (ids: string[]) => {
      const batch = new WriteBatch();
      batch.add('update a set x = 1 where id = any(?::uuid[])', [ids], {
        rows: ids.length,
        error: () => new Error(),
      });
      batch.add('insert into b (y) select * from unnest(?::text[])', [['y']]);
      batch.add('update c set z = z + ? where slot = ?', [5, 3], { rows: 1, error: () => new Error() });
      const statement = batch.toStatement();
      assert.ok(statement);
      return statement;
    };
    const one = statementFor(['u1']);
    const three = statementFor(['u1', 'u2', 'u3']);
    assert.equal(one.text, three.text);
    assert.match(three.text, /write_batch_expect\(0, \(select count\(\*\) from w0\), \$5::bigint\)/);
    assert.match(three.text, /write_batch_expect\(2, \(select count\(\*\) from w2\), \$6::bigint\)/);
    assert.deepEqual(three.values, [['u1', 'u2', 'u3'], ['y'], 5, 3, 3, 1]);
  });

  test('a failed guard (SQLSTATE WB001) becomes the error its write asked for; other errors pass unchanged', () => {
    const batch = new WriteBatch();
    batch.add('insert into a (x) values (?)', [1]);
    batch.add('update b set y = 1', [], {
      rows: 4,
      error: (touched) => new RangeError(`touched ${touched} of 4`),
    });
    const explained = batch.explain({
      code: 'WB001',
      detail: '1,3',
      message: 'write 1 of the batch touched 3 rows',
    });
    assert.ok(explained instanceof RangeError);
    assert.equal(explained.message, 'touched 3 of 4');
    const unique = { code: '23505', detail: 'Key (x)=(1) already exists.' };
    assert.equal(batch.explain(unique), unique);
    const unguarded = { code: 'WB001', detail: '0,0' };
    assert.equal(batch.explain(unguarded), unguarded, 'write 0 has no expectation');
  });
});
