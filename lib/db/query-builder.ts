import knexFactory, { type Knex } from 'knex';

/**
 * knex as a query builder only: build reads with it and run them with `unit.read(...)`, so they
 * belong to the unit of work's transaction. Awaiting a query built here fails loudly instead of
 * running it on some other connection.
 */
export const queryBuilder: Knex = knexFactory({
  client: 'pg',
  connection: () => {
    throw new Error('queryBuilder only builds SQL: run the query with unit.read() (lib/db/unit-of-work.ts)');
  },
  pool: { min: 0, max: 1 },
});

/** A query knex can compile: a builder or a raw query. */
export interface CompilableQuery {
  toSQL(): { toNative(): { sql: string; bindings: readonly unknown[] } };
}

/** SQL with `$n` placeholders and its values, as node-postgres takes them. */
export interface NativeQuery {
  text: string;
  values: unknown[];
}

export const toNative = (query: CompilableQuery): NativeQuery => {
  const { sql, bindings } = query.toSQL().toNative();
  return { text: sql, values: [...bindings] };
};

/** A raw statement written with `?` placeholders, compiled to `$n` ones. */
export const nativeOf = (sql: string, bindings: readonly unknown[]): NativeQuery =>
  toNative(queryBuilder.raw(sql, bindings as Knex.RawBinding[]));
