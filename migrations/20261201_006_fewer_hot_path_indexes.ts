import type { Knex } from 'knex';

const schemas = ['orders', 'inventory', 'payment', 'shipping'] as const;

/**
 * Two indexes per written row that the hot path paid for and no query needs (measured with
 * `npm run bench`):
 * - outbox.message_id unique: it only merged a re-sent command with its first copy while that copy
 *   was still unpublished. Publishing both is harmless (same message id: the participant's inbox
 *   applies it once), and every outbox row paid a random-UUID index insert for it.
 * - saga_history: the primary key on the serial id and a second index on (order_id, id) become one
 *   primary key (order_id, id), which is what reads use (an order's history in order).
 */
export async function up(knex: Knex): Promise<void> {
  for (const schema of schemas) {
    await knex.raw(`alter table ${schema}.outbox drop constraint if exists outbox_message_id_unique`);
  }
  await knex.raw('alter table orders.saga_history drop constraint saga_history_pkey');
  await knex.raw('drop index orders.saga_history_order_idx');
  await knex.raw(
    'alter table orders.saga_history add constraint saga_history_pkey primary key (order_id, id)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table orders.saga_history drop constraint saga_history_pkey');
  await knex.raw('alter table orders.saga_history add constraint saga_history_pkey primary key (id)');
  await knex.raw('create index saga_history_order_idx on orders.saga_history (order_id, id)');
  for (const schema of schemas) {
    await knex.raw(
      `alter table ${schema}.outbox add constraint outbox_message_id_unique unique (message_id)`,
    );
  }
}
