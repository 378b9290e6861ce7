import type { Knex } from 'knex';
import { createMessagingTables } from './messaging-tables.ts';
import { seedCatalog } from './seed-catalog.ts';

/** The inventory participant: stock per SKU (seeded catalog) and one reservation per order. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('create schema if not exists inventory');
  await knex.schema.withSchema('inventory').createTable('stock', (t) => {
    t.text('sku').primary();
    t.text('name').notNullable();
    t.integer('available').notNullable();
    t.integer('seeded').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(
    'alter table inventory.stock add constraint stock_available_non_negative check (available >= 0)',
  );
  // One row per order, so every command is idempotent by order id. A RELEASED row without a
  // reservation_id is a tombstone: ReleaseStock came first, and a late ReserveStock must not reserve.
  await knex.schema.withSchema('inventory').createTable('reservations', (t) => {
    t.uuid('order_id').primary();
    t.uuid('reservation_id').unique();
    t.text('status').notNullable(); // RESERVED | REJECTED | RELEASED
    t.jsonb('items').notNullable().defaultTo('[]'); // aggregated lines, one per SKU
    t.text('rejection_reason'); // REJECTED: out_of_stock | unknown_sku | fault_injected
    t.jsonb('shortages'); // REJECTED: [{ sku, requested, available }] as first answered
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('released_at', { useTz: true });
  });
  await knex.raw(
    "alter table inventory.reservations add constraint reservations_status_valid check (status in ('RESERVED', 'REJECTED', 'RELEASED'))",
  );
  await createMessagingTables(knex, 'inventory');
  await knex('inventory.stock').insert(
    seedCatalog.map((s) => ({ sku: s.sku, name: s.name, available: s.quantity, seeded: s.quantity })),
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop schema if exists inventory cascade');
}
