import type { Knex } from 'knex';
import { createMessagingTables } from './messaging-tables.ts';

/** The payment participant: one payment per order and an append-only ledger of charges and refunds. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists payment');
  // One row per order, so every command is idempotent by order id. VOIDED is a tombstone: RefundPayment
  // came before any charge, and a late ProcessPayment must not charge.
  await knex.schema.withSchema('payment').createTable('payments', (t) => {
    t.uuid('order_id').primary();
    t.uuid('payment_id').unique();
    t.text('status').notNullable(); // CHARGED | DECLINED | REFUNDED | VOIDED
    t.bigInteger('amount').notNullable(); // minor units; 0 for a VOIDED tombstone
    t.specificType('currency', 'char(3)'); // null for a VOIDED tombstone
    t.text('customer_id');
    t.text('failure_reason'); // DECLINED: declined | fault_injected
    t.text('failure_message'); // DECLINED: the gateway's message, as first answered
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('refunded_at', { useTz: true });
  });
  await knex.raw(
    "alter table payment.payments add constraint payments_status_valid check (status in ('CHARGED', 'DECLINED', 'REFUNDED', 'VOIDED'))",
  );
  await knex.schema.withSchema('payment').createTable('ledger', (t) => {
    t.bigIncrements('id').primary();
    t.uuid('order_id').notNullable();
    t.uuid('payment_id').notNullable();
    t.text('kind').notNullable(); // charge | refund
    t.bigInteger('amount').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    // At most one charge and one refund per order, ever: a bug that tries a second one fails loudly.
    t.unique(['order_id', 'kind']);
  });
  await knex.raw(
    "alter table payment.ledger add constraint ledger_kind_valid check (kind in ('charge', 'refund'))",
  );
  await createMessagingTables(knex, 'payment');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists payment cascade');
}
