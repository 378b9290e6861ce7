/**
 * `npm run sagas:recount`: sets the in-flight counter admission control reads (orders.sagas_in_flight)
 * to the number of PENDING orders. For a counter that drifted: orders changed by hand, or an
 * orchestrator older than migration 20261202_008 that ran next to newer ones.
 */
import { loadEndpoints } from '../lib/config/common-config.ts';
import { createDatabase } from '../lib/db/database.ts';
import { recountSagasInFlight } from '../orchestrator/runner/in-flight-counter.ts';

const config = loadEndpoints();
const db = createDatabase(config.databaseUrl, { poolMax: 1 });
const undefinedTable = '42P01';
try {
  const { before, after } = await recountSagasInFlight(db);
  console.log(
    before === after
      ? `sagas in flight: ${after}; the counter was right`
      : `sagas in flight: the counter said ${before}, ${after} orders are PENDING; the counter now says ${after}`,
  );
} catch (error) {
  if ((error as { code?: unknown }).code !== undefinedTable) throw error;
  console.error(
    `sagas:recount: ${new URL(config.databaseUrl).pathname.slice(1)} has no orders schema with an in-flight counter (${(error as Error).message.split(' - ').pop()}): run \`npm run migrate\` first`,
  );
  process.exitCode = 1;
} finally {
  await db.destroy();
}
