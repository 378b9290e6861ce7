import type { Knex } from 'knex';

const schemas = ['orders', 'inventory', 'payment', 'shipping'] as const;

/**
 * The audit trail of operator actions, one table per service schema: who did what to which target,
 * with what outcome, written in the same transaction as the action's effect (lib/audit). Listed
 * newest first, for one target or for all: hence the two indexes.
 */
export async function up(knex: Knex): Promise<void> {
  for (const schema of schemas) {
    await knex.raw(`
      create table ${schema}.audit (
        audit_id uuid primary key,
        actor text not null,
        role text not null,
        action text not null,
        target text not null,
        outcome text not null check (outcome in ('applied', 'rejected', 'not_found')),
        detail jsonb not null default '{}',
        at timestamptz not null
      )`);
    await knex.raw(`create index audit_target_at on ${schema}.audit (target, at desc)`);
    await knex.raw(`create index audit_at on ${schema}.audit (at desc)`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const schema of schemas) await knex.raw(`drop table ${schema}.audit`);
}
