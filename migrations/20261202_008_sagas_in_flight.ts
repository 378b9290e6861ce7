import type { Knex } from 'knex';

/**
 * Counter rows the in-flight total is spread over, so concurrent transactions rarely touch the same row.
 * Frozen with this migration: the runtime's copy is orchestrator/runner/sagas-in-flight-slots.ts.
 */
const sagasInFlightSlots = 16;

/**
 * The number of sagas in flight (orders still PENDING), kept exact by the transactions that start
 * and end sagas: each adds its change to one of `sagasInFlightSlots` counter rows (chosen at random,
 * so concurrent transactions seldom wait for each other); the total is their sum. POST /orders reads
 * it to refuse new orders while too many sagas are in flight (admission control). Updates of these
 * rows are HOT (no index on the counter), so they need no vacuum to stay small.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table orders.sagas_in_flight (
      slot smallint primary key check (slot >= 0 and slot < ${sagasInFlightSlots}),
      sagas bigint not null
    )`);
  await knex.raw(
    `insert into orders.sagas_in_flight (slot, sagas)
     select slot, case when slot = 0 then (select count(*) from orders.orders where status = 'PENDING') else 0 end
       from generate_series(0, ${sagasInFlightSlots - 1}) as slot`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop table orders.sagas_in_flight');
}
