/**
 * Least privilege on PostgreSQL (migration 013): each service's role may work in its own schema and
 * nowhere else. Runs on a throwaway database of the test server, with the roles as the launchers
 * provision them.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { migrateLatest } from '../lib/db/database.ts';
import { checkDatabaseAccess, DatabaseAccessError } from '../lib/db/database-access.ts';
import { scramSha256Verifier } from '../lib/db/role-provisioning.ts';
import {
  type DatabaseService,
  databaseServices,
  serviceDatabaseUrl,
  serviceRoleOf,
  serviceSchemas,
} from '../lib/db/service-roles.ts';
import { migrationSource } from '../migrations/index.ts';
import { provisionLocalServiceRoles, serviceRolePassword } from '../scripts/support/local-service-roles.ts';
import { runScript } from './support/run-script.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from './support/throwaway-database.ts';

const permissionDenied = (error: unknown): boolean =>
  (error as { code?: string }).code === '42501' && /permission denied/.test((error as Error).message);

describe('service roles (PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  const clients = new Map<DatabaseService, pg.Client>();
  const urlOf = (service: DatabaseService) =>
    serviceDatabaseUrl(database.url, service, serviceRolePassword(service, process.env));
  const as = (service: DatabaseService): pg.Client => {
    const client = clients.get(service);
    assert.ok(client, `${service} is connected`);
    return client;
  };
  let tables: { schema: string; table: string }[];

  before(async () => {
    database = await createThrowawayDatabase({ poolMax: 2 });
    await provisionLocalServiceRoles(database.url);
    for (const service of databaseServices) {
      const client = new pg.Client({ connectionString: urlOf(service) });
      await client.connect();
      clients.set(service, client);
    }
    tables = (
      await database.db.raw<{ rows: { schema: string; table: string }[] }>(
        `select schemaname as schema, tablename as table from pg_tables
          where schemaname in ('orders', 'inventory', 'payment', 'shipping') order by 1, 2`,
      )
    ).rows;
  });
  after(async () => {
    for (const client of clients.values()) await client.end();
    await database.drop();
  });

  test('each service logs in as its own role', async () => {
    for (const service of databaseServices) {
      const { rows } = await as(service).query<{ user: string }>('select current_user as user');
      assert.equal(rows[0]?.user, serviceRoleOf(service));
    }
  });

  test("no service may read or write another service's tables (every service × every other schema's table)", async () => {
    let refused = 0;
    for (const service of databaseServices) {
      for (const { schema, table } of tables.filter((t) => t.schema !== serviceSchemas[service])) {
        await assert.rejects(
          as(service).query(`select * from ${schema}.${table} limit 1`),
          permissionDenied,
          `${service} reads ${schema}.${table}`,
        );
        await assert.rejects(
          as(service).query(`delete from ${schema}.${table}`),
          permissionDenied,
          `${service} deletes from ${schema}.${table}`,
        );
        refused += 2;
      }
    }
    // 4 services; the other three schemas hold at least their outbox and inbox each
    assert.ok(refused >= 4 * 3 * 2 * 2, `${refused} refusals`);
    await assert.rejects(as('payment').query('select order_id from orders.orders'), permissionDenied);
  });

  test('no service may create objects, in its own schema or in public', async () => {
    for (const service of databaseServices) {
      for (const schema of [serviceSchemas[service], 'public']) {
        await assert.rejects(
          as(service).query(`create table ${schema}.intruder_${service} (id int)`),
          permissionDenied,
          `${service} creates a table in ${schema}`,
        );
      }
    }
  });

  test('append-only tables stay append-only: the payment ledger cannot be updated, the orders cannot be deleted', async () => {
    await assert.rejects(as('payment').query('update payment.ledger set amount = 0'), permissionDenied);
    await assert.rejects(as('orchestrator').query('delete from orders.orders'), permissionDenied);
    await assert.rejects(
      as('orchestrator').query('update orders.saga_history set kind = kind'),
      permissionDenied,
    );
  });

  test('each service may use its outbox and inbox, and vacuum its outbox', async () => {
    for (const service of databaseServices) {
      const schema = serviceSchemas[service];
      const client = as(service);
      const messageId = randomUUID();
      const inserted = await client.query<{ seq: string }>(
        `insert into ${schema}.outbox (message_id, topic, message_key, record_type, payload, headers)
         values ($1, 't', 'k', 'R', '\\x01', '{}') returning seq`,
        [messageId],
      );
      const seq = inserted.rows[0]?.seq;
      assert.ok(seq, `${service} inserts into its outbox (sequence usage)`);
      const deleted = await client.query(`delete from ${schema}.outbox where seq = $1`, [seq]);
      assert.equal(deleted.rowCount, 1, `${service} deletes what it published`);
      const inbox = await client.query(
        `insert into ${schema}.inbox (message_id, topic, record_type) values ($1, 't', 'R') on conflict (message_id) do nothing`,
        [messageId],
      );
      assert.equal(inbox.rowCount, 1);
      const pruned = await client.query(`delete from ${schema}.inbox where message_id = $1`, [messageId]);
      assert.equal(pruned.rowCount, 1, `${service} prunes its inbox (migration 016)`);
      const warnings: string[] = [];
      const onNotice = (notice: { severity?: string; message?: string }) => {
        if (notice.severity === 'WARNING') warnings.push(notice.message ?? '');
      };
      client.on('notice', onNotice);
      await client.query(`vacuum (skip_locked, truncate false) ${schema}.outbox`);
      client.off('notice', onNotice);
      assert.deepEqual(
        warnings,
        [],
        `${service} may vacuum ${schema}.outbox (the server skips with a WARNING otherwise)`,
      );
      // the write-batch guard (migration 007) is callable
      await client.query('select public.write_batch_expect(0, 1, 1)');
    }
  });

  test("start-up check: a service's own schema passes; another's, or an unknown role, fails with one line naming the role", async () => {
    const nobodyUrl = new URL(database.url);
    nobodyUrl.username = `order_saga_nobody_${randomBytes(3).toString('hex')}`;
    await checkDatabaseAccess(urlOf('payment'), 'payment');
    await assert.rejects(checkDatabaseAccess(urlOf('payment'), 'orders'), (error: unknown) => {
      assert.ok(error instanceof DatabaseAccessError);
      assert.equal(
        error.message,
        'PostgreSQL refused role order_saga_payment: permission denied: usage on schema orders, select on table orders.outbox, insert on table orders.outbox, delete on table orders.outbox, select on table orders.inbox, insert on table orders.inbox, delete on table orders.inbox',
      );
      return true;
    });
    await assert.rejects(checkDatabaseAccess(nobodyUrl.toString(), 'payment'), (error: unknown) => {
      assert.ok(error instanceof DatabaseAccessError);
      assert.match(
        error.message,
        new RegExp(`^PostgreSQL refused role ${nobodyUrl.username}: .*${nobodyUrl.username}`),
      );
      assert.doesNotMatch(error.message, /\n/);
      return true;
    });
  });

  test("a service started with another service's login stops before anything else, with one line on stderr", async () => {
    const run = await runScript('participants/payment/main.ts', [], {
      ...process.env,
      DATABASE_URL: urlOf('orchestrator'),
      LOG_LEVEL: 'silent',
    });
    assert.equal(run.code, 1);
    assert.equal(
      run.stderr,
      'payment could not start: PostgreSQL refused role order_saga_orchestrator: permission denied: usage on schema payment, select on table payment.outbox, insert on table payment.outbox, delete on table payment.outbox, select on table payment.inbox, insert on table payment.inbox, delete on table payment.inbox\n',
    );
  });

  test('the orchestrator may prune saga history (migration 016), and nothing else of the orders', async () => {
    const deleted = await as('orchestrator').query('delete from orders.saga_history where order_id = $1', [
      randomUUID(),
    ]);
    assert.equal(deleted.rowCount, 0);
    await assert.rejects(as('orchestrator').query('delete from orders.sagas'), permissionDenied);
  });

  test('migration 013 down takes the rights back and gives the outbox back to the owner; up again restores them', async () => {
    const other = await createThrowawayDatabase({ poolMax: 1 });
    const paymentUrl = serviceDatabaseUrl(other.url, 'payment', serviceRolePassword('payment', process.env));
    const outboxOwner = async () =>
      (
        await other.db.raw<{ rows: { owner: string }[] }>(
          "select tableowner as owner from pg_tables where schemaname = 'payment' and tablename = 'outbox'",
        )
      ).rows[0]?.owner;
    try {
      await checkDatabaseAccess(paymentUrl, 'payment');
      const server = await other.db.raw<{ rows: { version: number; owner: string }[] }>(
        "select current_setting('server_version_num')::int as version, current_user as owner",
      );
      const { version = 0, owner: migrationOwner } = server.rows[0] ?? {};
      assert.equal(
        await outboxOwner(),
        version >= 170_000 ? migrationOwner : 'order_saga_payment',
        'before PostgreSQL 17 the role owns its outbox to vacuum it (from 17: the MAINTAIN privilege)',
      );
      const later = [
        '20261207_014_order_contact',
        '20261207_015_notifications',
        '20261207_016_pruning_grants',
        '20261207_017_delivery_stages',
        '20261207_018_saga_parked',
      ];
      // down to 013 (the later migrations first), then 013's own down
      for (let i = 0; i <= later.length; i++)
        await other.db.migrate.down({ migrationSource, tableName: 'knex_migrations', schemaName: 'public' });
      await assert.rejects(checkDatabaseAccess(paymentUrl, 'payment'), /usage on schema payment/);
      assert.equal(await outboxOwner(), migrationOwner, 'the migration owner owns the outbox again');
      assert.deepEqual(await migrateLatest(other.db, migrationSource), [
        '20261207_013_service_roles',
        ...later,
      ]);
      await checkDatabaseAccess(paymentUrl, 'payment');
    } finally {
      await other.drop();
    }
  });

  test('the SCRAM verifier sent by the provisioning is the one PostgreSQL computes from the password', async () => {
    const role = `order_saga_scram_check_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(32).toString('base64url');
    try {
      await database.db.raw(`set password_encryption = 'scram-sha-256'`);
      await database.db.raw(`create role ${role} nologin password '${password}'`);
      const { rows } = await database.db.raw<{ rows: { verifier: string }[] }>(
        'select rolpassword as verifier from pg_authid where rolname = ?',
        [role],
      );
      const stored = rows[0]?.verifier ?? '';
      const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$/.exec(stored);
      assert.ok(match?.[1] && match[2], `a SCRAM verifier is stored: ${stored.slice(0, 20)}…`);
      assert.equal(scramSha256Verifier(password, Buffer.from(match[2], 'base64'), Number(match[1])), stored);
    } finally {
      await database.db.raw(`drop role if exists ${role}`);
    }
  });
});
