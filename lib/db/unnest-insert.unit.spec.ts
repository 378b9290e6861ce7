import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { arrayLiteral } from './pg-array.ts';
import { unnestInsert } from './unnest-insert.ts';

describe('unnest insert (pure)', () => {
  const spec = {
    table: 'shop.items',
    columns: { id: 'uuid', note: 'text', doc: 'jsonb' },
    computed: { done_at: "case when v.note = 'done' then now() end" },
  } as const;

  test('one array parameter per column: the text is the same for any number of rows', () => {
    const insert = unnestInsert<{ id: string; note: string | null; doc: string }>(spec);
    assert.equal(
      insert.sql.replace(/\s+/g, ' '),
      "insert into shop.items (id, note, doc, done_at) select v.id, v.note, v.doc, case when v.note = 'done' then now() end from unnest(?::uuid[], ?::text[], ?::jsonb[]) as v(id, note, doc)",
    );
    assert.deepEqual(
      insert.bind([
        { id: 'a', note: 'done', doc: '{}' },
        { id: 'b', note: null, doc: '[1]' },
      ]),
      // One array literal per column, in column order (lib/db/pg-array.ts writes them).
      [arrayLiteral(['a', 'b']), arrayLiteral(['done', null]), arrayLiteral(['{}', '[1]'])],
    );
    assert.deepEqual(insert.bind([]), ['{}', '{}', '{}']);
  });

  test('an upsert overwrites the listed columns from the excluded row', () => {
    const upsert = unnestInsert<{ id: string; note: string; doc: string }>({
      ...spec,
      onConflict: { target: 'id', update: ['note', 'done_at'] },
    });
    assert.match(
      upsert.sql,
      /on conflict \(id\) do update set note = excluded\.note, done_at = excluded\.done_at$/,
    );
  });

  test('an insert that skips rows whose key exists: on conflict do nothing', () => {
    const insert = unnestInsert<{ id: string; note: string; doc: string }>({
      ...spec,
      onConflict: { target: 'id', update: 'nothing' },
    });
    assert.match(insert.sql, /\) as v\(id, note, doc\) on conflict \(id\) do nothing$/);
  });

  test('names that are not plain identifiers are refused', () => {
    assert.throws(
      () => unnestInsert({ table: 'items; drop table x', columns: { id: 'uuid' } }),
      /identifier/,
    );
    assert.throws(() => unnestInsert({ table: 'items', columns: { 'id"': 'uuid' } }), /identifier/);
    assert.throws(
      () =>
        unnestInsert({
          table: 'items',
          columns: { id: 'uuid' },
          onConflict: { target: 'id', update: ['x y'] },
        }),
      /identifier/,
    );
  });
});
