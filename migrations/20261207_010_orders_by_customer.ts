import type { Knex } from 'knex';

/**
 * A customer lists their own orders (GET /orders with a customer token): newest first, keyset
 * pagination on (created_at, order_id), both descending, so the list reads this index in order
 * instead of scanning everyone's orders. Costs one more index entry per order created.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'create index orders_customer_created_idx on orders.orders (customer_id, created_at desc, order_id desc)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index orders.orders_customer_created_idx');
}
