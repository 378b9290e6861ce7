import type { Knex } from 'knex';
import { createMessagingTables } from './messaging-tables.ts';

/** The orchestrator's schema: orders, one saga per order, its history, outbox and inbox. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists orders');
  await knex.schema.withSchema('orders').createTable('orders', (t) => {
    t.uuid('order_id').primary();
    t.text('customer_id').notNullable();
    t.jsonb('items').notNullable();
    t.bigInteger('total').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.text('payment_token').notNullable();
    t.jsonb('shipping_address').notNullable();
    t.text('status').notNullable();
    t.text('cancel_reason');
    t.text('idempotency_key').unique();
    t.text('request_fingerprint');
    t.uuid('correlation_id').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_at', 'order_id'], 'orders_created_idx');
    t.index(['status', 'created_at', 'order_id'], 'orders_status_created_idx');
  });
  await knex.schema.withSchema('orders').createTable('sagas', (t) => {
    t.uuid('order_id').primary().references('order_id').inTable('orders.orders');
    t.text('state').notNullable();
    t.jsonb('snapshot').notNullable();
    t.integer('version').notNullable();
    t.timestamp('deadline_at', { useTz: true });
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    'create index sagas_deadline_idx on orders.sagas (deadline_at) where deadline_at is not null',
  );
  await knex.schema.withSchema('orders').createTable('saga_history', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('order_id').notNullable().references('order_id').inTable('orders.orders');
    t.text('kind').notNullable();
    t.text('type').notNullable();
    t.uuid('message_id');
    t.text('from_state');
    t.text('to_state');
    t.jsonb('detail');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['order_id', 'id'], 'saga_history_order_idx');
  });
  await createMessagingTables(knex, 'orders');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists orders cascade');
}
