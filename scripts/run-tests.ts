/**
 * `npm test [-- unit|int|e2e|chaos|bench] [files…]`: runs the test tiers with node's test runner.
 * Every tier but unit needs the stack: it is brought up first (`npm run stack -- up`, idempotent;
 * SKIP_STACK=1 to use infrastructure you run yourself). For them this script
 * creates a fresh test database, and for e2e starts the four services, the notification service and
 * its mail and SMS sinks as real processes (their own ports, consumer groups unique to this run, short
 * saga deadlines), then stops them.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Admin } from 'kafkajs';
import { recreateDatabase } from '../lib/db/database.ts';
import { clientAcls, clientTopicAcls } from '../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../lib/kafka/ensure-acls.ts';
import { ensureTopics } from '../lib/kafka/ensure-topics.ts';
import { withKafkaAdmin } from '../lib/kafka/kafka-admin.ts';
import { topicsWithPrefix } from '../lib/kafka/topics.ts';
import { migrationSource } from '../migrations/index.ts';
import { localKafkaAdminConnection, localKafkaAdminEnv } from './support/kafka-env.ts';
import { localSecret } from './support/local-secrets.ts';
import { provisionLocalServiceRoles } from './support/local-service-roles.ts';
import { ensureLocalStack } from './support/local-stack.ts';
import {
  repoRoot,
  type ServiceName,
  type ServiceProcess,
  startAllServices,
  startNotificationProcesses,
  stopAllServices,
  waitUntilAllReady,
} from './support/service-processes.ts';

/**
 * unit: pure logic; int: real Kafka/registry/Postgres; e2e: the four services through HTTP;
 * chaos and bench: whole-system runs that start their own services (small versions in CI), last.
 */
type Tier = 'unit' | 'int' | 'e2e' | 'chaos' | 'bench';
const tiers: readonly Tier[] = ['unit', 'int', 'e2e', 'chaos', 'bench'];
const skipDirs = new Set(['node_modules', '.git', '.stack', 'coverage']);

function findSpecs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return skipDirs.has(entry.name) ? [] : findSpecs(join(dir, entry.name));
    return /\.(unit|int|e2e|chaos|bench)\.spec\.ts$/.test(entry.name)
      ? [relative(repoRoot, join(dir, entry.name))]
      : [];
  });
}
const tierOf = (file: string): Tier =>
  (file.match(/\.(unit|int|e2e|chaos|bench)\.spec\.ts$/)?.[1] ?? 'unit') as Tier;

const args = process.argv.slice(2);
const selectedTiers = args.filter((a): a is Tier => (tiers as readonly string[]).includes(a));
const explicitFiles = args.filter((a) => a.endsWith('.ts'));
for (const unknown of args.filter((a) => !selectedTiers.includes(a as Tier) && !explicitFiles.includes(a))) {
  console.error(`unknown argument ${JSON.stringify(unknown)}: use ${tiers.join(', ')} or spec file paths`);
  process.exit(2);
}
const files = (explicitFiles.length > 0 ? explicitFiles : findSpecs(repoRoot))
  .filter((f) => selectedTiers.length === 0 || selectedTiers.includes(tierOf(f)))
  .sort((a, b) => tiers.indexOf(tierOf(a)) - tiers.indexOf(tierOf(b)) || a.localeCompare(b));
if (files.length === 0) {
  console.error('no spec files matched');
  process.exit(1);
}

const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const testDatabaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/order_saga_test';
/** TEST_PORT_BASE (default 3100): the e2e services listen on it and the next three ports. */
const testPortBase = Number(process.env.TEST_PORT_BASE ?? 3100);
const testPorts: Record<ServiceName, number> = {
  orchestrator: testPortBase,
  inventory: testPortBase + 1,
  payment: testPortBase + 2,
  shipping: testPortBase + 3,
};
/**
 * Where the e2e services export their spans (OTLP/HTTP): a receiver the tracing spec starts on this
 * port (test/e2e/tracing.e2e.spec.ts). While none listens, the spans are dropped.
 */
const otlpReceiverPort = testPortBase + 9;
/** The notification service (TEST_PORT_BASE + 4) and its sinks: SMTP + 80, HTTP + 81 (docs/notifications.md). */
const notificationsPort = testPortBase + 4;
const sinkSmtpPort = testPortBase + 80;
const sinkHttpPort = testPortBase + 81;
const logDir = join(repoRoot, '.stack', 'test-logs', runId);
const needsStack = files.some((f) => tierOf(f) !== 'unit');
const needsServices = files.some((f) => tierOf(f) === 'e2e');

const topicPrefix = `test-${runId}.`;

/** This run's own topics (TOPIC_PREFIX): no other system's messages reach the services under test. */
const withAdmin = <T>(work: (admin: Admin) => Promise<T>): Promise<T> =>
  withKafkaAdmin(localKafkaAdminConnection(), 'run-tests', work);

// The services verify HS256 tokens with the secret the test processes sign with (test/support/tokens.ts).
const { AUTH_JWKS_URL: _jwksUrl, ...callerEnv } = process.env;
const serviceEnv: NodeJS.ProcessEnv = {
  ...callerEnv,
  AUTH_JWT_SECRET: process.env.AUTH_JWT_SECRET ?? localSecret('auth-jwt-secret'),
  FAULTS_ENABLED: 'true',
  // The specs drive the carrier's events by hand (POST /shipments/:shipmentId/events).
  SIMULATED_CARRIER: 'false',
  TOPIC_PREFIX: topicPrefix,
  DATABASE_URL: testDatabaseUrl,
  KAFKA_GROUP_ID_SUFFIX: `-test-${runId}`,
  ORCHESTRATOR_PORT: String(testPorts.orchestrator),
  INVENTORY_PORT: String(testPorts.inventory),
  PAYMENT_PORT: String(testPorts.payment),
  SHIPPING_PORT: String(testPorts.shipping),
  NOTIFICATIONS_PORT: String(notificationsPort),
  SINK_SMTP_PORT: String(sinkSmtpPort),
  SINK_HTTP_PORT: String(sinkHttpPort),
  SAGA_STEP_TIMEOUT_MS: process.env.SAGA_STEP_TIMEOUT_MS ?? '1500',
  SAGA_FORWARD_ATTEMPTS: process.env.SAGA_FORWARD_ATTEMPTS ?? '2',
  SAGA_COMPENSATION_ATTEMPTS: process.env.SAGA_COMPENSATION_ATTEMPTS ?? '2',
  SAGA_BACKOFF_MULTIPLIER: '1',
  SAGA_SWEEP_INTERVAL_MS: '100',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
};

const services: ServiceProcess[] = [];
/** The specs talk to Kafka as the tools' principal (admin); the services as their own (perServiceEnv). */
const testEnv: NodeJS.ProcessEnv = {
  ...serviceEnv,
  ...(needsStack ? localKafkaAdminEnv(serviceEnv) : {}),
  TEST_RUN_ID: runId,
  ORCHESTRATOR_URL: `http://127.0.0.1:${testPorts.orchestrator}`,
  INVENTORY_URL: `http://127.0.0.1:${testPorts.inventory}`,
  PAYMENT_URL: `http://127.0.0.1:${testPorts.payment}`,
  SHIPPING_URL: `http://127.0.0.1:${testPorts.shipping}`,
  NOTIFICATIONS_URL: `http://127.0.0.1:${notificationsPort}`,
  NOTIFICATION_SINKS_URL: `http://127.0.0.1:${sinkHttpPort}`,
  E2E_SERVICES_RUNNING: needsServices ? '1' : '0',
  OTLP_RECEIVER_PORT: String(otlpReceiverPort),
  LOG_LEVEL: 'warn',
};

/** One `node --test` run. Node sorts the files it is given, so each tier gets a run of its own. */
const runSpecs = (specs: readonly string[]): Promise<number> => {
  const runner = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...specs], {
    cwd: repoRoot,
    env: testEnv,
    stdio: 'inherit',
  });
  return new Promise<number>((resolve) => runner.once('exit', (code) => resolve(code ?? 1)));
};

const stopServices = () => stopAllServices(services);

let exitCode = 0;
try {
  if (needsStack) {
    ensureLocalStack(); // idempotent and quick when the stack is already up; SKIP_STACK=1 skips it
    await recreateDatabase(testDatabaseUrl, migrationSource); // every run starts from a clean state
    await provisionLocalServiceRoles(testDatabaseUrl); // the e2e services log in as their own roles
    await withAdmin(async (admin) => {
      await ensureTopics(admin, topicsWithPrefix(topicPrefix), { numPartitions: 3, replicationFactor: 1 });
      await ensureAcls(admin, clientAcls(topicPrefix));
    });
  }
  // Tiers run in order, each to the end, even after a failure. The e2e services live only for the
  // e2e tier: chaos restarts the broker and kills processes, which must not happen under them.
  for (const tier of tiers) {
    const specs = files.filter((f) => tierOf(f) === tier);
    if (specs.length === 0) continue;
    if (tier === 'e2e') {
      // Only these services record spans: chaos and bench runs start their own, without tracing.
      const e2eEnv = { ...serviceEnv, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpReceiverPort}` };
      services.push(...startAllServices(e2eEnv, { kind: 'files', dir: logDir }));
      services.push(...startNotificationProcesses(e2eEnv, { kind: 'files', dir: logDir }));
      await waitUntilAllReady(services);
    }
    const code = await runSpecs(specs);
    if (code !== 0) {
      console.error(`\n${tier} tier failed (exit code ${code})`);
      exitCode = exitCode || code;
    }
    if (tier === 'e2e') await stopServices();
  }
} catch (error) {
  console.error(`\ntest setup failed: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await stopServices();
  if (needsStack && process.env.KEEP_TEST_TOPICS !== '1') {
    await withAdmin(async (admin) => {
      await admin.deleteTopics({ topics: topicsWithPrefix(topicPrefix) });
      await removeAcls(admin, clientTopicAcls(topicPrefix));
    }).catch((error: unknown) =>
      console.error(`could not delete this run's topics and ACLs: ${(error as Error).message}`),
    );
  }
  if (needsServices && exitCode !== 0) {
    console.error(`\nservice logs: ${relative(repoRoot, logDir)}/`);
    for (const s of services) {
      const file = join(logDir, `${s.name}.log`);
      if (!existsSync(file)) continue;
      const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15).join('\n');
      console.error(`--- ${s.name} (last lines) ---\n${tail}`);
    }
  }
}
process.exit(exitCode);
