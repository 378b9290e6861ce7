import type { Knex } from 'knex';
import { databaseServices, serviceRoleOf, serviceSchemas } from '../lib/db/service-roles.ts';

/**
 * The background pruner (lib/maintenance) deletes each service's inbox rows after the retention,
 * and the orchestrator's the history of sagas that ended (orchestrator/runner/history-pruner.ts).
 */
export async function up(knex: Knex): Promise<void> {
  for (const service of databaseServices)
    await knex.raw(`grant delete on ${serviceSchemas[service]}.inbox to ${serviceRoleOf(service)}`);
  await knex.raw(`grant delete on orders.saga_history to ${serviceRoleOf('orchestrator')}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`revoke delete on orders.saga_history from ${serviceRoleOf('orchestrator')}`);
  for (const service of databaseServices)
    await knex.raw(`revoke delete on ${serviceSchemas[service]}.inbox from ${serviceRoleOf(service)}`);
}
