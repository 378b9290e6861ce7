/**
 * The bench's isolated system: its own database (dropped and migrated fresh), its own topics
 * (TOPIC_PREFIX) with the services' ACLs, consumer groups and ports, and saga deadlines so generous
 * that nothing times out under load.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { recreateDatabase } from '../../lib/db/database.ts';
import { serviceAcls, serviceTopicAcls } from '../../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../../lib/kafka/ensure-acls.ts';
import { ensureTopics } from '../../lib/kafka/ensure-topics.ts';
import { withKafkaAdmin } from '../../lib/kafka/kafka-admin.ts';
import { kafkajsSecurityOptions } from '../../lib/kafka/kafka-security.ts';
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

/** Drops and recreates a database, applies the project's migrations and provisions the service roles. */
export async function freshDatabase(databaseUrl: string): Promise<void> {
  await recreateDatabase(databaseUrl, migrationSource);
  await provisionLocalServiceRoles(databaseUrl);
}

export const withDatabaseUrlName = (databaseUrl: string, name: string): string => {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

/** A Kafka client of the bench's own, as the tools' principal (admin on the local stack). */
export function benchKafka(clientId: string): Kafka {
  const { brokers, security } = localKafkaAdminConnection();
  return new Kafka({
    clientId,
    brokers: [...brokers],
    ...kafkajsSecurityOptions(security),
    logLevel: logLevel.NOTHING,
  });
}

const withAdmin = <T>(work: (admin: Admin) => Promise<T>): Promise<T> =>
  withKafkaAdmin(localKafkaAdminConnection(), 'bench-admin', work);

/** Topics with `partitions` partitions; with a prefix, the services' ACLs on them too. */
export const createTopics = (topics: readonly string[], partitions: number, aclPrefix?: string) =>
  withAdmin(async (admin) => {
    await ensureTopics(admin, topics, { numPartitions: partitions, replicationFactor: 1 });
    if (aclPrefix !== undefined) await ensureAcls(admin, serviceAcls(aclPrefix));
  });

export const deleteTopics = (topics: readonly string[], aclPrefix?: string) =>
  withAdmin(async (admin) => {
    await admin.deleteTopics({ topics: [...topics] });
    if (aclPrefix !== undefined) await removeAcls(admin, serviceTopicAcls(aclPrefix));
  });

/** Messages ever written to these topics (fresh topics start at 0). */
export const messagesIn = (topics: readonly string[]) =>
  withAdmin(async (admin) => {
    let total = 0;
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high) - Number(p.low);
    return total;
  });

/**
 * Starts one service as scripts/support/service-processes.ts does (`node <its flags> --import tsx
 * <entry>`, logs to a file), with extra node flags (e.g. --cpu-prof, which NODE_OPTIONS refuses) and
 * `niceAdjustment` added to the bench's own niceness (coreutils' `nice -n`; 0: none).
 */
export function startBenchService(
  name: ServiceName,
  env: NodeJS.ProcessEnv,
  logDir: string,
  nodeFlags: readonly string[],
  niceAdjustment: number,
): ServiceProcess {
  mkdirSync(logDir, { recursive: true });
  const args = [process.execPath, ...serviceNodeArgs(name, nodeFlags)];
  if (niceAdjustment !== 0) args.unshift('nice', '-n', String(niceAdjustment));
  const [command = '', ...rest] = args;
  const child = spawn(command, rest, {
    cwd: repoRoot,
    env: { ...env, ...perServiceEnv(name, env), LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const file = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  child.stdout.pipe(file);
  child.stderr.pipe(file);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, port: Number(env[`${name.toUpperCase()}_PORT`]), child, exited };
}

/** Environment of the services the bench starts: isolated, and deadlines that never fire under load. */
export function benchServiceEnv(options: {
  topicPrefix: string;
  databaseUrl: string;
  runId: string;
  basePort: number;
  extra: Record<string, string>;
}): NodeJS.ProcessEnv {
  // Only the infrastructure's addresses come from the caller's environment: settings a test run or a
  // shell may have exported (short saga deadlines, pool sizes, ports…) would make runs incomparable.
  const inherited = Object.entries(process.env).filter(
    ([key]) =>
      !/^(SAGA_|DB_POOL_MAX$|LOG_|TOPIC_PREFIX$|KAFKA_GROUP_ID_SUFFIX$|DATABASE_URL$|NODE_OPTIONS$)/.test(
        key,
      ) && !key.endsWith('_PORT'),
  );
  return {
    ...Object.fromEntries(inherited),
    TOPIC_PREFIX: options.topicPrefix,
    DATABASE_URL: options.databaseUrl,
    KAFKA_GROUP_ID_SUFFIX: `-bench-${options.runId}`,
    SAGA_STEP_TIMEOUT_MS: '600000',
    SAGA_MAX_STEP_TIMEOUT_MS: '3600000',
    SAGA_FORWARD_ATTEMPTS: '3',
    SAGA_COMPENSATION_ATTEMPTS: '5',
    // The bench measures capacity: no admission control unless asked (--env MAX_SAGAS_IN_FLIGHT=N).
    MAX_SAGAS_IN_FLIGHT: '0',
    // Thousands of POSTs/s from one client under few subjects: no per-subject rate limit.
    RATE_LIMIT_MAX: '0',
    LOG_LEVEL: 'info',
    ...Object.fromEntries(
      serviceNames.map((name, i) => [`${name.toUpperCase()}_PORT`, String(options.basePort + i)]),
    ),
    ...options.extra,
  };
}
