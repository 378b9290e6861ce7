import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import './pg-types.ts';
import {
  type SessionTimeouts,
  sessionOptions,
  sessionTimeouts,
  withoutStatementTimeout,
} from './session-timeouts.ts';

export type { Knex };

/**
 * A knex pool. Its connections start with the session timeouts (default: DB_STATEMENT_TIMEOUT_MS,
 * DB_LOCK_TIMEOUT_MS; migrations pass `withoutStatementTimeout()`).
 */
export function createDatabase(
  databaseUrl: string,
  { poolMax = 10, timeouts = sessionTimeouts() }: { poolMax?: number; timeouts?: SessionTimeouts } = {},
): Knex {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: databaseUrl, options: sessionOptions(timeouts) },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  });
}

const databaseNameOf = (databaseUrl: string): string =>
  decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
const quoted = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Runs `work` on a short-lived connection to the server's `postgres` database (for create/drop). */
async function withServer<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${admin.host}: ${(error as Error).message}. Start it, or the stack: npm run stack -- up`,
      {
        cause: error,
      },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the database named in the URL if it does not exist. */
export async function ensureDatabaseExists(databaseUrl: string): Promise<void> {
  const name = databaseNameOf(databaseUrl);
  await withServer(databaseUrl, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database ${quoted(name)}`);
  });
}

/** Drops the database named in the URL (disconnecting its sessions) if it exists. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  await withServer(databaseUrl, (client) =>
    client.query(`drop database if exists ${quoted(databaseNameOf(databaseUrl))} with (force)`),
  );
}

/**
 * Drops, re-creates and migrates the database named in the URL: a clean state for a run. The
 * migrations are handed in by the caller (the app's list is `migrations/index.ts` `migrationSource`).
 */
export async function recreateDatabase<M>(
  databaseUrl: string,
  migrations: Knex.MigrationSource<M>,
): Promise<void> {
  await dropDatabase(databaseUrl);
  await withServer(databaseUrl, (client) =>
    client.query(`create database ${quoted(databaseNameOf(databaseUrl))}`),
  );
  const db = createDatabase(databaseUrl, { poolMax: 1, timeouts: withoutStatementTimeout() });
  try {
    await migrateLatest(db, migrations);
  } finally {
    await db.destroy();
  }
}

/**
 * Applies every pending migration of `migrations` (the app's: `migrations/index.ts` `migrationSource`);
 * a second run is a no-op. Returns the names applied now.
 */
export async function migrateLatest<M>(db: Knex, migrations: Knex.MigrationSource<M>): Promise<string[]> {
  const [, applied] = (await db.migrate.latest({
    migrationSource: migrations,
    tableName: 'knex_migrations',
    schemaName: 'public',
  })) as [number, string[]];
  return applied;
}
