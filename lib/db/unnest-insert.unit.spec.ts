import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { binaryArray } from './pg-binary-array.ts';
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
    const [a, b] = ['0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21', '01a23a1c-be87-70af-8f6c-0f52c13c2d1d'];
    assert.deepEqual(
      insert.bind([
        { id: a, note: 'done', doc: '{}' },
        { id: b, note: null, doc: '[1]' },
      ]),
      // One binary array per column, in column order, of the column's type (lib/db/pg-binary-array.ts).
      [binaryArray('uuid', [a, b]), binaryArray('text', ['done', null]), binaryArray('jsonb', ['{}', '[1]'])],
    );
    assert.deepEqual(insert.bind([]), [
      binaryArray('uuid', []),
      binaryArray('text', []),
      binaryArray('jsonb', []),
    ]);
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
      // @ts-expect-error: a type without a binary array encoding is refused at compile time too.
      () => unnestInsert({ table: 'items', columns: { id: 'numeric' } }),
      /no binary array encoding for column type: numeric/,
    );
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
