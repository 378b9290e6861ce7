/**
 * `npm start`: brings the local stack up if needed, applies migrations, then runs the orchestrator,
 * the three participants, the notification service and its mail and SMS sinks as separate processes
 * with prefixed logs. Ctrl-C stops everything.
 */
import { loadEndpoints } from '../lib/config/common-config.ts';
import { createDatabase, ensureDatabaseExists, migrateLatest } from '../lib/db/database.ts';
import { withoutStatementTimeout } from '../lib/db/session-timeouts.ts';
import { migrationSource } from '../migrations/index.ts';
import { provisionLocalServiceRoles } from './support/local-service-roles.ts';
import { ensureLocalStack } from './support/local-stack.ts';
import { localToken } from './support/local-tokens.ts';
import {
  portOf,
  portsFrom,
  startAllServices,
  startNotificationProcesses,
  stopAllServices,
  waitUntilAllReady,
} from './support/service-processes.ts';

ensureLocalStack();

const config = loadEndpoints();
await ensureDatabaseExists(config.databaseUrl);
const db = createDatabase(config.databaseUrl, { timeouts: withoutStatementTimeout() }); // migrations may run long
const applied = await migrateLatest(db, migrationSource);
await db.destroy();
console.log(applied.length ? `» migrations applied: ${applied.join(', ')}` : '» migrations: up to date');
await provisionLocalServiceRoles(config.databaseUrl);

// The local demo opens the participants' fault switches (operators only); a deployment leaves them off.
const serviceEnv: NodeJS.ProcessEnv = {
  ...process.env,
  FAULTS_ENABLED: process.env.FAULTS_ENABLED ?? 'true',
  // The demo's parcels are picked up and delivered by the simulated carrier (docs/delivery.md).
  SIMULATED_CARRIER: process.env.SIMULATED_CARRIER ?? 'true',
};
const services = [
  ...startAllServices(serviceEnv, { kind: 'prefixed' }),
  ...startNotificationProcesses(serviceEnv, { kind: 'prefixed' }),
];
let stopping = false;
const stopAll = async (code: number) => {
  if (stopping) return;
  stopping = true;
  console.log('\n» stopping services…');
  await stopAllServices(services);
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
  await waitUntilAllReady(services);
} catch (error) {
  console.error(`» ${(error as Error).message}`);
  await stopAll(1);
}
const ports = portsFrom(process.env);
const demoTtlS = 12 * 3_600;
/** The dashboard link: its ?token= signs the browser in once (a session cookie), then leaves the URL. */
function dashboardLink(): string {
  const url = `http://127.0.0.1:${ports.orchestrator}/dashboard`;
  if (process.env.AUTH_JWKS_URL && !process.env.AUTH_JWT_SECRET) return `${url}?token=<an operator token>`;
  return `${url}?token=${localToken('operator', undefined, demoTtlS)}`;
}
/** Tokens for the demo, signed with the secret the services verify with (perServiceEnv); none with a JWKS. */
function demoTokens(): string {
  if (process.env.AUTH_JWKS_URL && !process.env.AUTH_JWT_SECRET) {
    return '    tokens        AUTH_JWKS_URL is set: get tokens from its issuer';
  }
  return [
    `    operator token (12 h)  ${localToken('operator', undefined, demoTtlS)}`,
    `    customer token (12 h)  ${localToken('customer', undefined, demoTtlS)}`,
    '    more: npm run -s token -- --role <customer|operator> [--sub <id>] [--ttl 1h]',
    `    e.g.  curl -H "Authorization: Bearer $(npm run -s token -- --role operator)" http://127.0.0.1:${ports.orchestrator}/orders`,
  ].join('\n');
}
console.log(`
» all services ready
    dashboard     ${dashboardLink()}
    orders API    http://127.0.0.1:${ports.orchestrator}/orders
    API docs      http://127.0.0.1:${ports.orchestrator}/docs   (OpenAPI: /openapi.json, AsyncAPI: /asyncapi.json)
    inventory     http://127.0.0.1:${ports.inventory}/stock
    payment       http://127.0.0.1:${ports.payment}/faults
    shipping      http://127.0.0.1:${ports.shipping}/faults
    notifications http://127.0.0.1:${portOf('notifications', process.env)}/notifications?orderId=<orderId>
    mail and SMS  http://127.0.0.1:${portOf('notification-sinks', process.env)}/   (what the customers were sent)
  Every route but /health, /metrics, /docs, /openapi.json and /asyncapi.json needs a bearer token:
${demoTokens()}
  Ctrl-C stops the services.
`);
