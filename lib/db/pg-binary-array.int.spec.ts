import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { defaultDatabaseUrl } from '../config/common-config.ts';
import { ArrayElementError, type BinaryElementType, binaryArray } from './pg-binary-array.ts';

/** Strings a text literal would have to quote or escape; in binary they are just bytes. */
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
  'tab\tnew\nline',
  'é€😀',
  '{"json": "with \\"quotes\\" and \\\\"}',
  'x'.repeat(70_000),
];

describe('binaryArray: array parameters Postgres decodes with the element types receive functions', () => {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL ?? defaultDatabaseUrl });
  before(() => client.connect());
  after(() => client.end());

  /** Our binary array and node-postgres's own text serialisation of the same JS array are equal in Postgres. */
  async function assertSameAsNodePostgres(
    type: BinaryElementType,
    sqlType: string,
    values: readonly unknown[],
  ) {
    const { rows } = await client.query<{ ours: unknown[]; theirs: unknown[]; equal: boolean }>(
      `select $1::${sqlType}[] as ours, $2::${sqlType}[] as theirs, $1::${sqlType}[] is not distinct from $2::${sqlType}[] as equal`,
      [binaryArray(type, values), values],
    );
    assert.ok(
      rows[0]?.equal,
      `${type}: ${JSON.stringify(rows[0]?.ours)} vs ${JSON.stringify(rows[0]?.theirs)}`,
    );
  }

  test('text: every awkward string, a long one and nulls read back element for element', async () => {
    const values = [...awkwardStrings, null, undefined, 'plain'];
    const { rows } = await client.query<{ v: string | null }>('select unnest($1::text[]) as v', [
      binaryArray('text', values),
    ]);
    assert.deepEqual(
      rows.map((r) => r.v),
      values.map((v) => v ?? null),
    );
    await assertSameAsNodePostgres('text', 'text', values);
  });

  test('uuid (either case), bigint, int, boolean', async () => {
    await assertSameAsNodePostgres('uuid', 'uuid', [
      '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21',
      '01A23A1C-BE87-70AF-8F6C-0F52C13C2D1D',
      null,
    ]);
    await assertSameAsNodePostgres('bigint', 'bigint', [
      0,
      -5,
      2 ** 32,
      -(2 ** 32) - 1,
      9_007_199_254_740_991,
      null,
    ]);
    const { rows } = await client.query<{ v: string }>('select unnest($1::bigint[])::text as v', [
      binaryArray('bigint', ['-9007199254740991', 2n ** 40n]),
    ]);
    assert.deepEqual(
      rows.map((r) => r.v),
      ['-9007199254740991', String(2 ** 40)],
    );
    await assertSameAsNodePostgres('int', 'int', [1, -2_147_483_648, 2_147_483_647, null]);
    await assertSameAsNodePostgres('boolean', 'boolean', [true, false, null]);
  });

  test('timestamptz from Dates keeps the instant to the millisecond, before 2000 and 1970 too', async () => {
    const dates = [
      new Date('2026-12-02T06:00:00.123Z'),
      new Date(0),
      new Date(-1),
      new Date('1999-12-31T23:59:59.999+05:30'),
      null,
    ];
    const { rows } = await client.query<{ v: Date | null }>('select unnest($1::timestamptz[]) as v', [
      binaryArray('timestamptz', dates),
    ]);
    assert.deepEqual(
      rows.map((r) => r.v?.getTime() ?? null),
      dates.map((d) => d?.getTime() ?? null),
    );
    await assertSameAsNodePostgres('timestamptz', 'timestamptz', dates);
  });

  test('bytea from Buffers, jsonb from JSON text and from objects', async () => {
    const buffers = [Buffer.from([0, 1, 0x5c, 0x22, 0xff]), Buffer.alloc(0), null];
    const { rows } = await client.query<{ v: Buffer | null }>('select unnest($1::bytea[]) as v', [
      binaryArray('bytea', buffers),
    ]);
    assert.deepEqual(
      rows.map((r) => r.v),
      buffers,
    );
    const documents = [{ quote: 'say "hi"', slash: 'a\\b', nested: { list: [1, '{x}', 'é€😀'] } }, null];
    await assertSameAsNodePostgres('jsonb', 'jsonb', documents);
    await assertSameAsNodePostgres(
      'jsonb',
      'jsonb',
      documents.map((d) => (d === null ? null : JSON.stringify(d))),
    );
  });

  test('json keeps the text as written; Postgres still refuses text that is not JSON', async () => {
    const texts = ['{"b": 1,  "a": [true, null]}', '"é€😀"', null];
    const { rows } = await client.query<{ v: string | null }>('select unnest($1::json[])::text as v', [
      binaryArray('json', texts),
    ]);
    assert.deepEqual(
      rows.map((r) => r.v),
      texts,
    );
    await assert.rejects(
      client.query('select $1::json[]', [binaryArray('json', ['{not json'])]),
      /invalid input syntax for type json/,
    );
  });

  test('an empty array is an empty array of the type', async () => {
    const { rows } = await client.query<{ n: number; t: string }>(
      'select cardinality($1::uuid[]) as n, pg_typeof($1::uuid[])::text as t',
      [binaryArray('uuid', [])],
    );
    assert.deepEqual(rows[0], { n: 0, t: 'uuid[]' });
  });

  test('a cast to another element type is refused by Postgres, not misread', async () => {
    await assert.rejects(
      client.query('select $1::text[]', [binaryArray('uuid', ['0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e21'])]),
      /binary data has array element type 2950 \(uuid\) instead of expected 25 \(text\)/,
    );
  });

  test('refuses what the element type cannot hold, naming the type and the value', () => {
    const refused: Array<[BinaryElementType, unknown, RegExp]> = [
      ['uuid', 'not-a-uuid', /cannot bind "not-a-uuid" as a uuid array element: not a UUID/],
      ['uuid', '0b8f6f64x3c5e-4c67-9d7e-2f0e0c0f4e21', /not a UUID/],
      ['uuid', '0b8f6f64-3c5e-4c67-9d7e-2f0e0c0f4e2g', /not a UUID/],
      ['int', 2 ** 31, /as a int array element: out of range/],
      ['int', 1.5, /not a safe integer/],
      ['bigint', 2 ** 53, /not a safe integer/],
      ['timestamptz', new Date(Number.NaN), /Date\(invalid\) as a timestamptz array element/],
      ['timestamptz', '2026-12-02', /not a valid Date/],
      ['text', {}, /as a text array element: not a string/],
      ['bytea', 'abc', /not a Buffer/],
      ['boolean', 1, /not a boolean/],
      ['jsonb', () => 1, /has no JSON form/],
    ];
    for (const [type, value, message] of refused) {
      assert.throws(
        () => binaryArray(type, [value]),
        (error: unknown) => {
          assert.ok(error instanceof ArrayElementError, `${type}: ${String(error)}`);
          assert.match(error.message, message);
          return true;
        },
      );
    }
  });

  test('an array is a copy: the next one does not overwrite it', () => {
    const first = binaryArray('text', ['first']);
    const copy = Buffer.from(first);
    binaryArray('text', ['second', 'x'.repeat(200_000)]);
    assert.deepEqual(first, copy);
  });
});
