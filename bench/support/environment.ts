/**
 * The bench's isolated system: its own database (dropped and migrated fresh), its own topics
 * (TOPIC_PREFIX) with the services' ACLs, consumer groups and ports, and saga deadlines so generous
 * that nothing times out under load.
 */
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { recreateDatabase } from '../../lib/db/database.ts';
import { clientAcls, clientTopicAcls } from '../../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../../lib/kafka/ensure-acls.ts';
import { ensureTopics } from '../../lib/kafka/ensure-topics.ts';
import { withKafkaAdmin } from '../../lib/kafka/kafka-admin.ts';
import { kafkajsSecurityOptions } from '../../lib/kafka/kafka-security.ts';
import { applyKafkajsPatches } from '../../lib/kafka/kafkajs-patches/index.ts';
import { migrationSource } from '../../migrations/index.ts';
import { localKafkaAdminConnection } from '../../scripts/support/kafka-env.ts';
import { provisionLocalServiceRoles } from '../../scripts/support/local-service-roles.ts';
import { type ServiceName, serviceEntryPoints } from '../../scripts/support/service-processes.ts';

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

/** Topics with `partitions` partitions; with a prefix, the services' and the operator's ACLs on them too. */
export const createTopics = (topics: readonly string[], partitions: number, aclPrefix?: string) =>
  withAdmin(async (admin) => {
    await ensureTopics(admin, topics, { numPartitions: partitions, replicationFactor: 1 });
    if (aclPrefix !== undefined) await ensureAcls(admin, clientAcls(aclPrefix));
  });

export const deleteTopics = (topics: readonly string[], aclPrefix?: string) =>
  withAdmin(async (admin) => {
    await admin.deleteTopics({ topics: [...topics] });
    if (aclPrefix !== undefined) await removeAcls(admin, clientTopicAcls(aclPrefix));
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
 * The services' saga policies in the bench: deadlines that never fire under load (the database
 * ceiling's runner takes the same).
 */
export const benchSagaPolicies = {
  retryPolicy: { forwardAttempts: 3, compensationAttempts: 5 },
  deadlinePolicy: {
    stepTimeoutMs: 600_000,
    backoffMultiplier: 2,
    maxStepTimeoutMs: 3_600_000,
    jitterPercent: 20,
  },
};

/**
 * Settings a test run or a shell may have exported (short saga deadlines, pool sizes, ports…) would
 * make runs incomparable: of the caller's environment the services only get the infrastructure's.
 */
const notInherited =
  /^(SAGA_|DB_POOL_MAX$|LOG_|TOPIC_PREFIX$|KAFKA_GROUP_ID_SUFFIX$|DATABASE_URL$|NODE_OPTIONS$)|_PORT$/;

/** Environment of the services the bench starts: isolated, and deadlines that never fire under load. */
export function benchServiceEnv(o: {
  topicPrefix: string;
  databaseUrl: string;
  runId: string;
  basePort: number;
  extra: Record<string, string>;
}): NodeJS.ProcessEnv {
  const { retryPolicy: retry, deadlinePolicy: deadline } = benchSagaPolicies;
  const ports = serviceNames.map((name, i) => [`${name.toUpperCase()}_PORT`, String(o.basePort + i)]);
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !notInherited.test(key))),
    TOPIC_PREFIX: o.topicPrefix,
    DATABASE_URL: o.databaseUrl,
    KAFKA_GROUP_ID_SUFFIX: `-bench-${o.runId}`,
    SAGA_STEP_TIMEOUT_MS: String(deadline.stepTimeoutMs),
    SAGA_MAX_STEP_TIMEOUT_MS: String(deadline.maxStepTimeoutMs),
    SAGA_FORWARD_ATTEMPTS: String(retry.forwardAttempts),
    SAGA_COMPENSATION_ATTEMPTS: String(retry.compensationAttempts),
    // The bench measures capacity: no admission control unless asked (--env MAX_SAGAS_IN_FLIGHT=N).
    MAX_SAGAS_IN_FLIGHT: '0',
    // Thousands of POSTs/s from one client under few subjects: no per-subject rate limit.
    RATE_LIMIT_MAX: '0',
    LOG_LEVEL: 'info',
    ...Object.fromEntries(ports),
    ...o.extra,
  };
}
