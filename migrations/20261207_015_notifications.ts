import type { Knex } from 'knex';
import { createRoleIfMissing, maintainPrivilegeSince } from './20261207_013_service_roles.ts';
import { createMessagingTables } from './messaging-tables.ts';

/**
 * The notification service's schema (participants/notifications, docs/notifications.md), and its
 * role order_saga_notifications with rights on it only.
 * contacts: each order's contact, from its OrderPlaced (the service never asks the orchestrator).
 * sent:     one row per (order, event, channel) handed to the mail server or SMS gateway (`sent`), or
 *           refused for good (`failed`, with the reason): what is never sent twice.
 * inbox/outbox: the consumer's (the outbox stays empty: the service publishes nothing).
 */
const schema = 'notifications';
const role = 'order_saga_notifications';

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create schema ${schema}`);
  await knex.schema.withSchema(schema).createTable('contacts', (t) => {
    t.uuid('order_id').primary();
    t.text('customer_id').notNullable();
    t.text('email').notNullable();
    t.text('phone');
    t.timestamp('created_at', { useTz: true }).notNullable();
  });
  await knex.schema.withSchema(schema).createTable('sent', (t) => {
    t.uuid('order_id').notNullable();
    t.text('event').notNullable();
    t.text('channel').notNullable();
    t.text('status').notNullable();
    t.text('recipient').notNullable();
    t.text('message_id').notNullable();
    t.text('locale').notNullable();
    t.text('failure');
    t.timestamp('at', { useTz: true }).notNullable();
    t.primary(['order_id', 'event', 'channel']);
  });
  await knex.raw(
    `alter table ${schema}.sent add constraint sent_status_check check (status in ('sent', 'failed'))`,
  );
  await createMessagingTables(knex, schema);
  // as every outbox since 006 and 009: no unique message id, headers as json (only the relay reads them)
  await knex.raw(`alter table ${schema}.outbox drop constraint outbox_message_id_unique`);
  await knex.raw(`alter table ${schema}.outbox alter column headers type json using headers::json`);

  const version = await knex.raw<{ rows: { version: number }[] }>(
    "select current_setting('server_version_num')::int as version",
  );
  await knex.raw(createRoleIfMissing(role));
  await knex.raw(`grant usage on schema ${schema} to ${role}`);
  await knex.raw(`grant select, insert on ${schema}.contacts to ${role}`);
  await knex.raw(`grant select, insert on ${schema}.sent to ${role}`);
  await knex.raw(`grant select, insert, delete on ${schema}.outbox to ${role}`);
  await knex.raw(`grant select, insert on ${schema}.inbox to ${role}`);
  await knex.raw(`grant usage on all sequences in schema ${schema} to ${role}`);
  await knex.raw(
    (version.rows[0]?.version ?? 0) >= maintainPrivilegeSince
      ? `grant maintain on ${schema}.outbox to ${role}`
      : `alter table ${schema}.outbox owner to ${role}`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table ${schema}.outbox owner to current_user`);
  await knex.raw(`revoke all on all sequences in schema ${schema} from ${role}`);
  await knex.raw(`revoke all on all tables in schema ${schema} from ${role}`);
  await knex.raw(`revoke all on schema ${schema} from ${role}`);
  await knex.raw(`drop schema ${schema} cascade`);
}
