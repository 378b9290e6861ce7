import { loadCommonConfig } from '../lib/config/common-config.ts';
import { createDatabase, ensureDatabaseExists, migrateLatest } from '../lib/db/database.ts';

const config = loadCommonConfig();
await ensureDatabaseExists(config.databaseUrl);
const db = createDatabase(config.databaseUrl);
try {
  const applied = await migrateLatest(db);
  console.log(
    applied.length === 0 ? 'migrations: already up to date' : `migrations applied: ${applied.join(', ')}`,
  );
} finally {
  await db.destroy();
}
