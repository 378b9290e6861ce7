import type { Knex } from 'knex';
import { createMessagingTables } from './messaging-tables.ts';

/** The shipping participant: one shipment per order. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists shipping');
  // One row per order, so every command is idempotent by order id. VOIDED is a tombstone:
  // CancelShipping came before any shipment, and a late ScheduleShipping must not schedule.
  await knex.schema.withSchema('shipping').createTable('shipments', (t) => {
    t.uuid('order_id').primary();
    t.uuid('shipment_id').unique();
    t.text('status').notNullable(); // SCHEDULED | FAILED | CANCELLED | VOIDED
    t.text('carrier');
    t.text('country'); // as received, upper-cased (not char(2): a malformed code is a recorded failure, not a crash)
    t.jsonb('address');
    t.jsonb('items').notNullable().defaultTo('[]');
    t.text('failure_reason'); // FAILED: unserved_destination | fault_injected
    t.text('failure_message'); // FAILED: as first answered
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('cancelled_at', { useTz: true });
  });
  await knex.raw(
    "alter table shipping.shipments add constraint shipments_status_valid check (status in ('SCHEDULED', 'FAILED', 'CANCELLED', 'VOIDED'))",
  );
  await createMessagingTables(knex, 'shipping');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists shipping cascade');
}
