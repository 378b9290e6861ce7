import { randomBytes } from 'node:crypto';
import { defaultDatabaseUrl } from '../../lib/config/common-config.ts';
import {
  createDatabase,
  dropDatabase,
  ensureDatabaseExists,
  type Knex,
  migrateLatest,
} from '../../lib/db/database.ts';
import { createUnitOfWorkRunner, type UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { createLogger } from '../../lib/logger.ts';
import { migrationSource } from '../../migrations/index.ts';

/** A throwaway, migrated database `order_saga_it_<random>` on DATABASE_URL's server; `drop()` removes it. */
export interface ThrowawayDatabase {
  db: Knex;
  /** The services' transactions (pipelined unit of work) on the same database. */
  units: UnitOfWorkRunner;
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createThrowawayDatabase({
  poolMax = 30,
}: {
  poolMax?: number;
} = {}): Promise<ThrowawayDatabase> {
  const name = `order_saga_it_${randomBytes(5).toString('hex')}`;
  const url = new URL(process.env.DATABASE_URL ?? defaultDatabaseUrl);
  url.pathname = `/${name}`;
  await ensureDatabaseExists(url.toString());
  const db = createDatabase(url.toString(), { poolMax });
  await migrateLatest(db, migrationSource);
  const units = createUnitOfWorkRunner({
    databaseUrl: url.toString(),
    maxConnections: Math.min(poolMax, 8),
    logger: createLogger('throwaway-database', 'warn'),
  });
  return {
    db,
    units,
    name,
    url: url.toString(),
    async drop() {
      await units.close();
      await db.destroy();
      await dropDatabase(url.toString());
    },
  };
}
