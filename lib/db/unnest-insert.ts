import { type BinaryElementType, binaryArray, isBinaryElementType } from './pg-binary-array.ts';

/** A column's Postgres type as the element type of its array parameter (`uuid`, `jsonb`, `text`…). */
export type ColumnTypes<Row> = { readonly [K in keyof Row & string]: BinaryElementType };

export interface UnnestInsert<Row> {
  /** Schema-qualified table name (written into the SQL: a constant, never user input). */
  table: string;
  /** The columns bound as arrays, in the order they are written, with their types. */
  columns: ColumnTypes<Row>;
  /** Columns computed in SQL from the bound ones (`v.<column>`), e.g. `case when v.status = 'X' then now() end`. */
  computed?: Readonly<Record<string, string>>;
  /** `on conflict (<target>) do update set c = excluded.c` for these columns, or `do nothing`. */
  onConflict?: { target: string; update: readonly string[] | 'nothing' };
}

const identifier = /^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/;

const checked = (name: string): string => {
  if (!identifier.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
};

/**
 * `insert into <table> (…) select … from unnest(?::t[], …)`: one parameter per column whatever the
 * number of rows, so the statement's text never changes and one prepared statement serves every
 * batch (a VALUES list would be a new statement, parsed and planned again, for each batch size).
 * Returns the SQL (`?` placeholders) and a function that binds a batch of rows to it, each column as
 * a binary array (lib/db/pg-binary-array.ts).
 */
export function unnestInsert<Row extends object>(
  spec: UnnestInsert<Row>,
): { sql: string; bind(rows: readonly Row[]): unknown[] } {
  const names = Object.keys(spec.columns) as Array<keyof Row & string>;
  const computed = Object.entries(spec.computed ?? {});
  const target = [...names, ...computed.map(([name]) => name)].map(checked);
  const select = [...names.map((name) => `v.${name}`), ...computed.map(([, expression]) => expression)];
  const arrays = names.map((name) => {
    const type = spec.columns[name];
    if (!isBinaryElementType(type)) throw new Error(`no binary array encoding for column type: ${type}`);
    return `?::${type}[]`;
  });
  const onConflict = spec.onConflict;
  const conflict =
    onConflict === undefined
      ? ''
      : onConflict.update === 'nothing'
        ? ` on conflict (${checked(onConflict.target)}) do nothing`
        : ` on conflict (${checked(onConflict.target)}) do update set ${onConflict.update
            .map((name) => `${checked(name)} = excluded.${name}`)
            .join(', ')}`;
  const sql = `insert into ${checked(spec.table)} (${target.join(', ')})
     select ${select.join(', ')} from unnest(${arrays.join(', ')}) as v(${names.join(', ')})${conflict}`;
  return {
    sql,
    bind: (rows) =>
      names.map((name) =>
        binaryArray(
          spec.columns[name],
          rows.map((row) => (row as Record<string, unknown>)[name]),
        ),
      ),
  };
}
