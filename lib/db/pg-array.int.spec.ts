import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { defaultDatabaseUrl } from '../config/common-config.ts';
import { arrayLiteral, pgArray } from './pg-array.ts';

/** Strings a literal must quote or escape: separators, braces, quotes, backslashes, NULL, blanks, UTF-8. */
const awkwardStrings = [
  '',
  ' ',
  ' padded ',
  'NULL',
  'null',
  'a,b',
  '{braces}',
  'say "hi"',
  'back\\slash',
  '\\"',
  '"',
  '\\',
  'tab\tnew\nline',
  'é€😀',
  '{"json": "with \\"quotes\\" and \\\\"}',
];

describe('pgArray: array literals Postgres reads as node-postgres would send them', () => {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? defaultDatabaseUrl });
  before(() => client.connect());
  after(() => client.end());

  /** Our literal and node-postgres's own serialisation of the same JS array, cast to `type`, are equal. */
  async function assertSameAsNodePostgres(type: string, values: readonly unknown[]): Promise<void> {
    const { rows } = await client.query<{ ours: unknown[]; theirs: unknown[]; equal: boolean }>(
      `select $1::${type} as ours, $2::${type} as theirs, $1::${type} is not distinct from $2::${type} as equal`,
      [pgArray(values), values],
    );
    assert.ok(
      rows[0]?.equal,
      `${type}: ${JSON.stringify(rows[0]?.ours)} vs ${JSON.stringify(rows[0]?.theirs)}`,
    );
  }

  test('text, with every awkward string and nulls, reads back element for element', async () => {
    const values = [...awkwardStrings, null, undefined, 'plain'];
    const { rows } = await client.query<{ v: string | null }>('select unnest($1::text[]) as v', [
      pgArray(values),
    ]);
    assert.deepEqual(
      rows.map((r) => r.v),
      values.map((v) => v ?? null),
    );
    await assertSameAsNodePostgres('text[]', values);
  });

  test('uuid, bigint, int, numeric, boolean', async () => {
    await assertSameAsNodePostgres('uuid[]', ['0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21', null]);
    await assertSameAsNodePostgres('bigint[]', [0, -5, 9_007_199_254_740_991, 2n ** 62n, null]);
    await assertSameAsNodePostgres('int[]', [1, -2_147_483_648, null]);
    await assertSameAsNodePostgres('numeric[]', [1.5, -0.25, 1e-7, null]);
    await assertSameAsNodePostgres('boolean[]', [true, false, null]);
  });

  test('timestamptz from Dates keeps the instant to the millisecond', async () => {
    const dates = [
      new Date('2026-12-02T06:00:00.123Z'),
      new Date(0),
      new Date('1999-12-31T23:59:59.999+05:30'),
      null,
    ];
    const { rows } = await client.query<{ v: Date | null }>('select unnest($1::timestamptz[]) as v', [
      pgArray(dates),
    ]);
    assert.deepEqual(
      rows.map((r) => r.v?.getTime() ?? null),
      dates.map((d) => d?.getTime() ?? null),
    );
    await assertSameAsNodePostgres('timestamptz[]', dates);
  });

  test('bytea from Buffers, jsonb from JSON text and from objects', async () => {
    const buffers = [Buffer.from([0, 1, 0x5c, 0x22, 0xff]), Buffer.alloc(0), null];
    const { rows } = await client.query<{ v: Buffer | null }>('select unnest($1::bytea[]) as v', [
      pgArray(buffers),
    ]);
    assert.deepEqual(
      rows.map((r) => r.v),
      buffers,
    );
    const documents = [{ quote: 'say "hi"', slash: 'a\\b', nested: { list: [1, '{x}'] } }, null];
    await assertSameAsNodePostgres('jsonb[]', documents);
    await assertSameAsNodePostgres(
      'jsonb[]',
      documents.map((d) => (d === null ? null : JSON.stringify(d))),
    );
  });

  test('empty and nested arrays', async () => {
    await assertSameAsNodePostgres('text[]', []);
    await assertSameAsNodePostgres('text[]', [
      ['a', 'b"'],
      ['c', null],
    ]);
  });

  test('refuses what has no array element form, with the type in the message', () => {
    assert.throws(() => arrayLiteral([Symbol('x')]), /cannot bind a symbol/);
    assert.throws(() => arrayLiteral([new Date(Number.NaN)]), RangeError);
  });
});
