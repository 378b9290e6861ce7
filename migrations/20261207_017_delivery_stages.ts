import type { Knex } from 'knex';

/**
 * Delivery stages (issue #37): a shipment can be PICKED_UP and DELIVERED by its carrier, with the
 * times; it remembers the ScheduleShipping command that created it, whose message id is the
 * causation id of its carrier events (the orchestrator checks it, as it checks replies) and whose
 * correlation id they carry.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table shipping.shipments drop constraint shipments_status_valid');
  await knex.raw(
    "alter table shipping.shipments add constraint shipments_status_valid check (status in ('SCHEDULED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'CANCELLED', 'VOIDED'))",
  );
  await knex.schema.withSchema('shipping').alterTable('shipments', (t) => {
    // The ScheduleShipping command's message and correlation ids (null for rows from before).
    t.uuid('scheduled_by');
    t.uuid('correlation_id');
    t.timestamp('picked_up_at', { useTz: true });
    t.timestamp('delivered_at', { useTz: true });
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('shipping').alterTable('shipments', (t) => {
    t.dropColumn('scheduled_by');
    t.dropColumn('correlation_id');
    t.dropColumn('picked_up_at');
    t.dropColumn('delivered_at');
  });
  await knex.raw("delete from shipping.shipments where status in ('PICKED_UP', 'DELIVERED')");
  await knex.raw('alter table shipping.shipments drop constraint shipments_status_valid');
  await knex.raw(
    "alter table shipping.shipments add constraint shipments_status_valid check (status in ('SCHEDULED', 'FAILED', 'CANCELLED', 'VOIDED'))",
  );
}
