import type { Knex } from 'knex';
import { createMessagingTables } from './messaging-tables.ts';

/** The shipping participant: one shipment per order. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists shipping');
  await knex.schema.withSchema('shipping').createTable('shipments', (t) => {
    t.uuid('order_id').primary();
    t.uuid('shipment_id');
    t.text('status').notNullable(); // SCHEDULED | FAILED | CANCELLED | VOIDED
    t.text('carrier');
    t.specificType('country', 'char(2)');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('cancelled_at', { useTz: true });
  });
  await createMessagingTables(knex, 'shipping');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists shipping cascade');
}
