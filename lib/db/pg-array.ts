import type { Knex } from 'knex';

/**
 * Arrays (with nulls, Buffers for bytea) bound as Postgres array parameters, e.g. `unnest(?::uuid[])`:
 * pg serialises them; knex's binding types are too narrow to say so.
 */
export const pgArray = (values: readonly unknown[]): Knex.Value => values as unknown as Knex.Value;
