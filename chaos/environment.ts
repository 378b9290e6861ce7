/**
 * What isolates a chaos run from everything else on the machine: its own database (dropped and
 * re-created, migrated), its own topics (TOPIC_PREFIX, created with ensureTopics, deleted at the end)
 * and its own consumer-group suffix. The broker and the registry are the shared stack's.
 */
import { type Admin, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { dropDatabase as dropDatabaseAt, recreateDatabase } from '../lib/db/database.ts';
import { clientAcls, clientTopicAcls } from '../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../lib/kafka/ensure-acls.ts';
import { ensureTopics } from '../lib/kafka/ensure-topics.ts';
import { withKafkaAdmin } from '../lib/kafka/kafka-admin.ts';
import { type KafkaSecurity, kafkajsSecurityOptions } from '../lib/kafka/kafka-security.ts';
import { topicsWithPrefix } from '../lib/kafka/topics.ts';
import { migrationSource } from '../migrations/index.ts';
import { provisionLocalServiceRoles } from '../scripts/support/local-service-roles.ts';

export interface ChaosEnvironment {
  runId: string;
  databaseName: string;
  databaseUrl: string;
  topicPrefix: string;
  groupIdSuffix: string;
  brokers: string[];
  /** The admin's credentials (scripts/support/kafka-env.ts). */
  kafkaSecurity: KafkaSecurity;
  partitions: number;
  /** 3 on three brokers (min.insync.replicas=2), else 1. */
  replicationFactor: number;
}

/** A kafkajs client of the run's tools (the scans, the duplicate bursts) as the admin, silent. */
export const chaosKafka = (
  env: ChaosEnvironment,
  clientId: string,
  more: Pick<KafkaConfig, 'retry'> = {},
): Kafka =>
  new Kafka({
    clientId,
    brokers: env.brokers,
    ...kafkajsSecurityOptions(env.kafkaSecurity),
    logLevel: logLevel.NOTHING,
    ...more,
  });

export const groupIdsOf = (env: ChaosEnvironment): string[] =>
  ['orchestrator', 'inventory', 'payment', 'shipping'].map((name) => `${name}${env.groupIdSuffix}`);

export const topicsOf = (env: ChaosEnvironment): string[] => topicsWithPrefix(env.topicPrefix);

/** Its database, migrated, and the service roles the services log in as (scripts/support/service-env.ts). */
export async function freshDatabase(env: ChaosEnvironment): Promise<void> {
  await recreateDatabase(env.databaseUrl, migrationSource);
  await provisionLocalServiceRoles(env.databaseUrl);
}

export const dropDatabase = (env: ChaosEnvironment): Promise<void> => dropDatabaseAt(env.databaseUrl);

/** A short-lived admin client (the broker may have been restarted since the last one). */
export const withAdmin = <T>(env: ChaosEnvironment, work: (admin: Admin) => Promise<T>): Promise<T> =>
  withKafkaAdmin({ brokers: env.brokers, security: env.kafkaSecurity }, 'chaos-admin', work);

export async function createTopics(env: ChaosEnvironment): Promise<void> {
  await withAdmin(env, async (admin) => {
    await ensureTopics(admin, topicsOf(env), {
      numPartitions: env.partitions,
      replicationFactor: env.replicationFactor,
    });
    await ensureAcls(admin, clientAcls(env.topicPrefix));
  });
}

/** Deletes this run's topics and consumer groups (the check consumer's included). */
export async function deleteTopicsAndGroups(
  env: ChaosEnvironment,
  extraGroups: readonly string[],
): Promise<void> {
  await withAdmin(env, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const topics = topicsOf(env).filter((t) => existing.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    const groups = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
    const ours = [...groupIdsOf(env), ...extraGroups].filter((g) => groups.has(g));
    if (ours.length > 0) await admin.deleteGroups(ours).catch(() => undefined);
    await removeAcls(admin, clientTopicAcls(env.topicPrefix));
  });
}

/** Messages not yet consumed per consumer group (high watermark minus committed offset, summed). */
export async function consumerLag(env: ChaosEnvironment): Promise<Record<string, number>> {
  const subscriptions: Record<string, string[]> = {
    orchestrator: ['inventory-events', 'payment-events', 'shipping-events'],
    inventory: ['inventory-commands'],
    payment: ['payment-commands'],
    shipping: ['shipping-commands'],
  };
  return withAdmin(env, async (admin) => {
    const lag: Record<string, number> = {};
    for (const [service, base] of Object.entries(subscriptions)) {
      const topics = base.map((t) => `${env.topicPrefix}${t}`);
      const committed = await admin.fetchOffsets({ groupId: `${service}${env.groupIdSuffix}`, topics });
      let total = 0;
      for (const topic of topics) {
        const high = await admin.fetchTopicOffsets(topic);
        const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
        for (const p of high) {
          const at = Number(mine.find((m) => m.partition === p.partition)?.offset ?? '-1');
          const end = Number(p.high);
          // -1: nothing committed yet; the group starts at "latest" only for a brand-new group, and
          // ours were created before the first message, so everything up to the end counts as lag.
          total += Math.max(0, end - Math.max(0, at));
        }
      }
      lag[service] = total;
    }
    return lag;
  });
}

/** Messages in each dead-letter topic (high minus low watermark), non-empty ones only. */
export async function deadLetterCounts(env: ChaosEnvironment): Promise<Record<string, number>> {
  return withAdmin(env, async (admin) => {
    const counts: Record<string, number> = {};
    for (const topic of topicsOf(env).filter((t) => t.endsWith('-dlt'))) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const n = offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      if (n > 0) counts[topic] = n;
    }
    return counts;
  });
}
