import type { Knex } from 'knex';

const schemas = ['orders', 'inventory', 'payment', 'shipping'] as const;

/**
 * Outbox headers as `json` instead of `jsonb`. Only the relay reads them, whole (node-postgres
 * parses both types into the same object), and nothing queries inside them. `json` keeps the text
 * the service wrote after checking that it is JSON. `jsonb` built a binary document from it, which
 * cost Postgres 2 µs a row; that is 11 rows a saga (bench/README.md, session of 2026-12-03).
 * Rows still waiting in an outbox keep their headers (the cast rewrites the small table).
 */
export async function up(knex: Knex): Promise<void> {
  for (const schema of schemas)
    await knex.raw(`alter table ${schema}.outbox alter column headers type json using headers::json`);
}

export async function down(knex: Knex): Promise<void> {
  for (const schema of schemas)
    await knex.raw(`alter table ${schema}.outbox alter column headers type jsonb using headers::jsonb`);
}
