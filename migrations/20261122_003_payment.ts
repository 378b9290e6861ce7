import type { Knex } from 'knex';
import { createMessagingTables } from './messaging-tables.ts';

/** The payment participant: one payment per order and an append-only ledger of charges and refunds. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists payment');
  await knex.schema.withSchema('payment').createTable('payments', (t) => {
    t.uuid('order_id').primary();
    t.uuid('payment_id');
    t.text('status').notNullable(); // CHARGED | DECLINED | REFUNDED | VOIDED
    t.bigInteger('amount').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('refunded_at', { useTz: true });
  });
  await knex.schema.withSchema('payment').createTable('ledger', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('order_id').notNullable();
    t.text('kind').notNullable(); // charge | refund
    t.bigInteger('amount').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['order_id', 'kind']);
  });
  await createMessagingTables(knex, 'payment');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists payment cascade');
}
