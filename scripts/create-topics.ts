/**
 * Creates every topic of the system (business topics and their dead-letter topics) on the broker,
 * and the services' and the operator's ACLs on them (lib/kafka/acls.ts). Idempotent: topics that already exist are left
 * alone (their partition count is not changed), ACLs that exist are not created again.
 *
 *   node --import tsx scripts/create-topics.ts
 *
 * Env: KAFKA_BROKERS (127.0.0.1:9092, comma separated), the admin's KAFKA_USERNAME/KAFKA_PASSWORD
 * (and the other KAFKA_* security variables; default: the local stack's admin), TOPIC_PARTITIONS (6),
 * TOPIC_REPLICATION_FACTOR (1), CREATE_TOPICS_TIMEOUT_MS (60000: how long to wait for the broker),
 * KAFKA_BENCH_ANONYMOUS_ACLS (1: create the bench-only ACLs of the unauthenticated principal
 * (`npm run stack -- up --plaintext-port`); 0: delete them; unset: leave them alone).
 */
import { Kafka, logLevel } from 'kafkajs';
import { anonymousBenchAcls, clientAcls } from '../lib/kafka/acls.ts';
import { ensureAcls, removeAcls } from '../lib/kafka/ensure-acls.ts';
import { ensureTopics } from '../lib/kafka/ensure-topics.ts';
import { describeKafkaAccessError } from '../lib/kafka/kafka-access-errors.ts';
import { kafkajsSecurityOptions } from '../lib/kafka/kafka-security.ts';
import { allTopics, topicPrefix } from '../lib/kafka/topics.ts';
import { localKafkaAdminConnection } from './support/kafka-env.ts';

const positiveInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};

const { brokers, security } = localKafkaAdminConnection();
const benchAnonymousAcls = process.env.KAFKA_BENCH_ANONYMOUS_ACLS;
const numPartitions = positiveInt('TOPIC_PARTITIONS', 6);
const replicationFactor = positiveInt('TOPIC_REPLICATION_FACTOR', 1);
const timeoutMs = positiveInt('CREATE_TOPICS_TIMEOUT_MS', 60_000);

const log = (msg: string): void => console.log(`[create-topics] ${msg}`);

const kafka = new Kafka({
  clientId: 'order-saga-create-topics',
  brokers: [...brokers],
  ...kafkajsSecurityOptions(security),
  logLevel: logLevel.WARN,
  retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 3_000 },
});
// Only the admin client is used here; a producer would need an explicit partitioner
// (`createPartitioner: Partitioners.DefaultPartitioner`) to keep kafkajs quiet.
const admin = kafka.admin();

/** The broker may still be starting: retry connecting until the deadline. */
const connectWithDeadline = async (): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await admin.connect();
      await admin.listTopics();
      return;
    } catch (err) {
      const access = describeKafkaAccessError(err, security);
      if (access !== null) throw new Error(access, { cause: err });
      if (Date.now() >= deadline) {
        throw new Error(
          `Kafka at ${brokers.join(',')} did not answer within ${timeoutMs} ms: ${(err as Error).message}`,
        );
      }
      await admin.disconnect().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
};

const main = async (): Promise<void> => {
  await connectWithDeadline();
  try {
    const { created, existing } = await ensureTopics(admin, allTopics(), {
      numPartitions,
      replicationFactor,
      timeoutMs,
    });
    if (existing.length > 0) log(`already exist, left alone: ${existing.join(', ')}`);
    if (created.length === 0) log(`all ${existing.length} topics exist`);
    else
      log(
        `created ${created.length} topic(s) (partitions ${numPartitions}, replication ${replicationFactor}): ${created.join(', ')}`,
      );
    const acls = clientAcls(topicPrefix);
    const createdAcls = await ensureAcls(admin, acls);
    log(`ACLs: ${acls.length} for the services and the operator, ${createdAcls} created (lib/kafka/acls.ts)`);
    if (benchAnonymousAcls === '1') {
      await ensureAcls(admin, anonymousBenchAcls());
      log('bench only: ACLs of User:ANONYMOUS (the plaintext listener) in place');
    } else if (benchAnonymousAcls === '0') {
      const removed = await removeAcls(admin, anonymousBenchAcls());
      if (removed > 0) log(`removed ${removed} bench-only ACL(s) of User:ANONYMOUS`);
    }
  } finally {
    await admin.disconnect();
  }
};

main().catch((err: unknown) => {
  console.error(`[create-topics] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
