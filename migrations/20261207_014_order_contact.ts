import type { Knex } from 'knex';

/**
 * The customer's contact (`{email, phone}` as JSON; null when the order was placed without one),
 * given with POST /orders and carried by OrderPlaced to the notification service. Nullable with no
 * default: adding it rewrites no row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table orders.orders add column contact jsonb');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table orders.orders drop column contact');
}
