/**
 * The bench's isolated system: its own database (dropped and migrated fresh), its own topics
 * (TOPIC_PREFIX), consumer groups and ports, and saga deadlines so generous that nothing times
 * out under load. Or, with --reuse, services that already run.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { dropDatabase, recreateDatabase } from '../../lib/db/database.ts';
import { serviceAcls, serviceTopicAcls } from '../../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../../lib/kafka/ensure-acls.ts';
import { ensureTopics } from '../../lib/kafka/ensure-topics.ts';
import { withKafkaAdmin } from '../../lib/kafka/kafka-admin.ts';
import { type KafkaConnection, kafkajsSecurityOptions } from '../../lib/kafka/kafka-security.ts';
import { applyKafkajsPatches } from '../../lib/kafka/kafkajs-patches/index.ts';
import { migrationSource } from '../../migrations/index.ts';
import { localKafkaAdminConnection } from '../../scripts/support/kafka-env.ts';
import { provisionLocalServiceRoles } from '../../scripts/support/local-service-roles.ts';
import { perServiceEnv } from '../../scripts/support/service-env.ts';
import {
  repoRoot,
  type ServiceName,
  type ServiceProcess,
  serviceEntryPoints,
  serviceNodeArgs,
} from '../../scripts/support/service-processes.ts';

applyKafkajsPatches();

export const serviceNames = Object.keys(serviceEntryPoints) as ServiceName[];

export const portVariables: Record<ServiceName, string> = {
  orchestrator: 'ORCHESTRATOR_PORT',
  inventory: 'INVENTORY_PORT',
  payment: 'PAYMENT_PORT',
  shipping: 'SHIPPING_PORT',
};

/** Drops and recreates a database, applies the project's migrations and provisions the service roles. */
export async function freshDatabase(databaseUrl: string): Promise<void> {
  await recreateDatabase(databaseUrl, migrationSource);
  await provisionLocalServiceRoles(databaseUrl);
}
export { dropDatabase };

export const withDatabaseUrlName = (databaseUrl: string, name: string): string => {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/** The bench's own Kafka clients run as the tools' principal (admin on the local stack). */
export const benchKafkaConnection = (): KafkaConnection => localKafkaAdminConnection();

export function benchKafka(clientId = 'bench'): Kafka {
  const { brokers, security } = benchKafkaConnection();
  return new Kafka({
    clientId,
    brokers: [...brokers],
    ...kafkajsSecurityOptions(security),
    logLevel: logLevel.NOTHING,
  });
}

export const withAdmin = <T>(work: (admin: Admin) => Promise<T>): Promise<T> =>
  withKafkaAdmin(benchKafkaConnection(), 'bench-admin', work);

/** The services' ACLs on the topics of a prefix (lib/kafka/acls.ts), and their removal. */
export const createServiceAcls = (topicPrefix: string) =>
  withAdmin((admin) => ensureAcls(admin, serviceAcls(topicPrefix)));
export const deleteServiceAcls = (topicPrefix: string) =>
  withAdmin((admin) => removeAcls(admin, serviceTopicAcls(topicPrefix)));

export const createTopics = (topics: readonly string[], partitions: number) =>
  withAdmin((admin) => ensureTopics(admin, topics, { numPartitions: partitions, replicationFactor: 1 }));

export const deleteTopics = (topics: readonly string[]) =>
  withAdmin((admin) => admin.deleteTopics({ topics: [...topics] }));

/** Messages ever written to these topics (sum of high watermarks; fresh topics start at 0). */
export const messagesIn = (topics: readonly string[]) =>
  withAdmin(async (admin) => {
    let total = 0;
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high) - Number(p.low);
    }
    return total;
  });

/**
 * Starts one service like scripts/support/service-processes.ts does (`node <its flags> --import tsx
 * <entry>`, logs to a file), with extra node flags (e.g. --cpu-prof, which NODE_OPTIONS does not allow).
 */
export function startBenchService(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  logDir: string,
  nodeFlags: readonly string[] = [],
  /** Log file name (without .log) when several instances of one service run; default the service name. */
  label: string = name,
  /**
   * Added to the bench's own niceness for the process and every thread it starts (coreutils'
   * `nice -n`); 0 runs it as the bench runs.
   */
  niceAdjustment = 0,
): ServiceProcess {
  const port = Number(env[portVariables[name]]);
  mkdirSync(logDir, { recursive: true });
  const nodeArgs = serviceNodeArgs(name, nodeFlags);
  const spawnOptions = {
    cwd: repoRoot,
    env: { ...env, ...perServiceEnv(name, env), LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
  };
  const child =
    niceAdjustment === 0
      ? spawn(process.execPath, nodeArgs, spawnOptions)
      : spawn('nice', ['-n', String(niceAdjustment), process.execPath, ...nodeArgs], spawnOptions);
  const file = createWriteStream(join(logDir, `${label}.log`), { flags: 'a' });
  child.stdout?.pipe(file);
  child.stderr?.pipe(file);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, port, child, exited };
}

/** Environment of the services the bench starts: isolated, and deadlines that never fire under load. */
export function benchServiceEnv({
  topicPrefix,
  databaseUrl,
  runId,
  basePort,
  extra,
}: {
  topicPrefix: string;
  databaseUrl: string;
  runId: string;
  basePort: number;
  extra: Record<string, string>;
}): NodeJS.ProcessEnv {
  // Only the infrastructure's addresses come from the caller's environment: settings a test run or a
  // shell may have exported (short saga deadlines, pool sizes, ports…) would make runs incomparable.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !/^(SAGA_|DB_POOL_MAX$|LOG_|TOPIC_PREFIX$|KAFKA_GROUP_ID_SUFFIX$|DATABASE_URL$|NODE_OPTIONS$)/.test(
          key,
        ) && !/_PORT$/.test(key),
    ),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    TOPIC_PREFIX: topicPrefix,
    DATABASE_URL: databaseUrl,
    KAFKA_GROUP_ID_SUFFIX: `-bench-${runId}`,
    SAGA_STEP_TIMEOUT_MS: '600000',
    SAGA_MAX_STEP_TIMEOUT_MS: '3600000',
    SAGA_FORWARD_ATTEMPTS: '3',
    SAGA_COMPENSATION_ATTEMPTS: '5',
    // The bench measures capacity: no admission control unless asked (--env MAX_SAGAS_IN_FLIGHT=N).
    MAX_SAGAS_IN_FLIGHT: '0',
    // Thousands of POSTs/s from one client under few subjects: no per-subject rate limit.
    RATE_LIMIT_MAX: '0',
    LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'info',
  };
  serviceNames.forEach((name, i) => {
    env[portVariables[name]] = String(basePort + i);
  });
  return { ...env, ...extra };
}
