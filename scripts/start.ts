/**
 * `npm start`: brings the local stack up if needed, applies migrations, then runs the orchestrator
 * and the three participants as separate processes with prefixed logs. Ctrl-C stops everything.
 */
import { execFileSync } from 'node:child_process';
import { loadCommonConfig } from '../lib/config/common-config.ts';
import { createDatabase, ensureDatabaseExists, migrateLatest } from '../lib/db/database.ts';
import { provisionLocalServiceRoles } from './support/local-service-roles.ts';
import {
  portsFrom,
  repoRoot,
  type ServiceName,
  type ServiceProcess,
  serviceEntryPoints,
  startService,
  stopService,
  waitUntilReady,
} from './support/service-processes.ts';

if (process.env.SKIP_STACK !== '1') {
  console.log('» stack: npm run stack -- up (set SKIP_STACK=1 to use infrastructure you run yourself)');
  execFileSync('bash', ['scripts/stack.sh', 'up'], { cwd: repoRoot, stdio: 'inherit' });
}

const config = loadCommonConfig();
await ensureDatabaseExists(config.databaseUrl);
const db = createDatabase(config.databaseUrl);
const applied = await migrateLatest(db);
await db.destroy();
console.log(applied.length ? `» migrations applied: ${applied.join(', ')}` : '» migrations: up to date');
await provisionLocalServiceRoles(config.databaseUrl);

const services: ServiceProcess[] = (Object.keys(serviceEntryPoints) as ServiceName[]).map((name) =>
  startService(name, process.env, { kind: 'prefixed' }),
);
let stopping = false;
const stopAll = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\n» stopping services…');
  await Promise.all(services.map((s) => stopService(s)));
  console.log('» stopped. The stack keeps running: npm run stack -- down');
  process.exit(code);
};
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
for (const service of services) {
  void service.exited.then((code) => {
    if (!stopping) {
      console.error(`» ${service.name} exited with code ${code}; stopping the others`);
      void stopAll(1);
    }
  });
}

try {
  await Promise.all(services.map((s) => waitUntilReady(s)));
} catch (error) {
  console.error(`» ${(error as Error).message}`);
  await stopAll(1);
}
const ports = portsFrom(process.env);
console.log(`
» all services ready
    orders API    http://127.0.0.1:${ports.orchestrator}/orders
    API docs      http://127.0.0.1:${ports.orchestrator}/docs   (OpenAPI: /openapi.json)
    inventory     http://127.0.0.1:${ports.inventory}/stock
    payment       http://127.0.0.1:${ports.payment}/faults
    shipping      http://127.0.0.1:${ports.shipping}/faults
  Ctrl-C stops the services.
`);
