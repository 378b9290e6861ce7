import type { Knex } from 'knex';
import { serviceRoleOf } from '../lib/db/service-roles.ts';

/**
 * The services this migration gives roles to, frozen as released (a migration is history): later
 * services get theirs from their own migration (notifications: 20261207_015_notifications.ts).
 */
const databaseServices = ['orchestrator', 'inventory', 'payment', 'shipping'] as const;
type DatabaseService = (typeof databaseServices)[number];
const serviceSchemas: Record<DatabaseService, string> = {
  orchestrator: 'orders',
  inventory: 'inventory',
  payment: 'payment',
  shipping: 'shipping',
};

/**
 * One role per service (order_saga_<service>), with rights on its own schema only; the migration
 * owner (DATABASE_URL's user) keeps owning everything else and runs every migration. The roles are
 * created NOLOGIN here when missing (they are cluster-wide; the launchers give them LOGIN and a
 * password: lib/db/role-provisioning.ts). What each service does to each table of its schema:
 */
const tablePrivileges: Record<DatabaseService, Record<string, string>> = {
  orchestrator: {
    orders: 'select, insert, update',
    sagas: 'select, insert, update',
    saga_history: 'select, insert',
    sagas_in_flight: 'select, update',
    outbox: 'select, insert, delete',
    inbox: 'select, insert',
  },
  inventory: {
    stock: 'select, update',
    reservations: 'select, insert, update',
    outbox: 'select, insert, delete',
    inbox: 'select, insert',
  },
  payment: {
    payments: 'select, insert, update',
    ledger: 'select, insert',
    outbox: 'select, insert, delete',
    inbox: 'select, insert',
  },
  shipping: {
    shipments: 'select, insert, update',
    outbox: 'select, insert, delete',
    inbox: 'select, insert',
  },
};

/**
 * Tables not listed above (created by an earlier migration this one does not know of, or by a later
 * one) get these, through ALTER DEFAULT PRIVILEGES for tables the migration owner creates in the
 * schema. A later migration whose service also updates or deletes a new table's rows grants that
 * itself (`grant update on <schema>.<table> to order_saga_<service>`).
 */
export const defaultTablePrivileges = 'select, insert';

/**
 * The outbox relay vacuums its outbox (lib/outbox/outbox-vacuum.ts). From PostgreSQL 17 the
 * MAINTAIN privilege allows that; before, only the table's owner may: the service role then owns
 * its outbox table (and its sequence), nothing else. The migration owner, a superuser or a member
 * of the role, can still alter it.
 */
export const maintainPrivilegeSince = 170_000;

export const createRoleIfMissing = (role: string): string => `
  do $$ begin
    if not exists (select from pg_roles where rolname = '${role}') then
      create role ${role} nologin;
    end if;
  exception when duplicate_object or unique_violation then null; -- created concurrently
  end $$`;

export async function up(knex: Knex): Promise<void> {
  const version = await knex.raw<{ rows: { version: number }[] }>(
    "select current_setting('server_version_num')::int as version",
  );
  const hasMaintain = (version.rows[0]?.version ?? 0) >= maintainPrivilegeSince;
  // PostgreSQL 15's default, made explicit for older servers: no role but the owner creates objects in public.
  await knex.raw('revoke create on schema public from public');
  for (const service of databaseServices) {
    const role = serviceRoleOf(service);
    const schema = serviceSchemas[service];
    await knex.raw(createRoleIfMissing(role));
    await knex.raw(`grant usage on schema ${schema} to ${role}`);
    const known = tablePrivileges[service];
    const tables = await knex.raw<{ rows: { name: string }[] }>(
      'select tablename as name from pg_tables where schemaname = ? order by tablename',
      [schema],
    );
    for (const { name } of tables.rows) {
      await knex.raw(`grant ${known[name] ?? defaultTablePrivileges} on ${schema}.${name} to ${role}`);
    }
    await knex.raw(`grant usage on all sequences in schema ${schema} to ${role}`);
    await knex.raw(
      `alter default privileges in schema ${schema} grant ${defaultTablePrivileges} on tables to ${role}`,
    );
    await knex.raw(`alter default privileges in schema ${schema} grant usage on sequences to ${role}`);
    await knex.raw(
      hasMaintain
        ? `grant maintain on ${schema}.outbox to ${role}`
        : `alter table ${schema}.outbox owner to ${role}`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const service of databaseServices) {
    const role = serviceRoleOf(service);
    const schema = serviceSchemas[service];
    await knex.raw(`alter table ${schema}.outbox owner to current_user`);
    await knex.raw(`alter default privileges in schema ${schema} revoke all on sequences from ${role}`);
    await knex.raw(`alter default privileges in schema ${schema} revoke all on tables from ${role}`);
    await knex.raw(`revoke all on all sequences in schema ${schema} from ${role}`);
    await knex.raw(`revoke all on all tables in schema ${schema} from ${role}`);
    await knex.raw(`revoke all on schema ${schema} from ${role}`);
  }
  // The roles stay: other databases of the server may use them. `create` on public is not given back.
}
