import type { Knex } from 'knex';

/**
 * saga_history rows are written only by the saga runner, in the transaction that holds the order's
 * saga row lock, for an order that exists. The foreign key to orders.orders protected nothing more
 * and cost, for every history row, a lookup plus a KEY SHARE lock on the order row (which the same
 * transaction then updates: multixacts). About nine rows per saga: the largest single cost of the
 * orchestrator's writes (measured with pg_stat_statements during `npm run bench`).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table orders.saga_history drop constraint if exists saga_history_order_id_foreign');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'alter table orders.saga_history add constraint saga_history_order_id_foreign foreign key (order_id) references orders.orders (order_id)',
  );
}
