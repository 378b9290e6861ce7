import { loadEndpoints } from '../lib/config/common-config.ts';
import { createDatabase, ensureDatabaseExists, migrateLatest } from '../lib/db/database.ts';
import { withoutStatementTimeout } from '../lib/db/session-timeouts.ts';
import { migrationSource } from '../migrations/index.ts';
import { provisionLocalServiceRoles } from './support/local-service-roles.ts';

const config = loadEndpoints();
await ensureDatabaseExists(config.databaseUrl);
const db = createDatabase(config.databaseUrl, { timeouts: withoutStatementTimeout() }); // migrations may run long
try {
  const applied = await migrateLatest(db, migrationSource);
  console.log(
    applied.length === 0 ? 'migrations: already up to date' : `migrations applied: ${applied.join(', ')}`,
  );
} finally {
  await db.destroy();
}
await provisionLocalServiceRoles(config.databaseUrl);
console.log('service roles: LOGIN and passwords set (order_saga_<service>)');
