import type { Knex } from 'knex';

/**
 * `orders.sagas.parked`: the deadline sweeper parked the saga (its order FAILED while its state is a
 * step). Kept on the saga row so that a transaction's status comes from the row it locks: with
 * `for update of s`, a read that waited for another transaction's lock sees that transaction's saga
 * row but the order row as it was before (PostgreSQL re-checks only the locked rows), and the order's
 * status read there could be stale (the in-flight counter went wrong with it).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table orders.sagas add column parked boolean not null default false');
  await knex.raw(
    `update orders.sagas s set parked = true
       from orders.orders o
      where o.order_id = s.order_id and o.status = 'FAILED' and s.state <> 'failed'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table orders.sagas drop column parked');
}
