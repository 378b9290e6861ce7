import type { Knex } from 'knex';

/**
 * Outbox and inbox tables, the same in every service's schema (written once, used by each migration).
 * outbox: messages written in the same transaction as the state change that caused them; the relay
 *         publishes them in `seq` order and deletes them once Kafka acknowledged (acks=all).
 * inbox:  ids of the messages a service has processed, inserted in the same transaction as their
 *         effect, so a redelivered message is acknowledged without a second effect.
 */
export async function createMessagingTables(knex: Knex, schema: string): Promise<void> {
  await knex.schema.withSchema(schema).createTable('outbox', (t) => {
    t.bigIncrements('seq').primary();
    t.uuid('message_id').notNullable().unique();
    t.text('topic').notNullable();
    t.text('message_key').notNullable();
    t.text('record_type').notNullable();
    t.binary('payload').notNullable();
    t.jsonb('headers').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.schema.withSchema(schema).createTable('inbox', (t) => {
    t.uuid('message_id').primary();
    t.text('topic').notNullable();
    t.text('record_type').notNullable();
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}
