/**
 * Creates every topic of the system (business topics and their dead-letter topics) on the broker.
 * Idempotent: topics that already exist are left alone (their partition count is not changed).
 *
 *   node --import tsx scripts/create-topics.ts
 *
 * Env: KAFKA_BROKERS (127.0.0.1:9092, comma separated), TOPIC_PARTITIONS (6),
 * TOPIC_REPLICATION_FACTOR (1), CREATE_TOPICS_TIMEOUT_MS (60000: how long to wait for the broker).
 */
import { Kafka, logLevel } from 'kafkajs';
import { ensureTopics } from '../lib/kafka/ensure-topics.ts';
import { allTopics } from '../lib/kafka/topics.ts';

const positiveInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
};

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
  .filter((b) => b.length > 0);
const numPartitions = positiveInt('TOPIC_PARTITIONS', 6);
const replicationFactor = positiveInt('TOPIC_REPLICATION_FACTOR', 1);
const timeoutMs = positiveInt('CREATE_TOPICS_TIMEOUT_MS', 60_000);

const log = (msg: string): void => console.log(`[create-topics] ${msg}`);

const kafka = new Kafka({
  clientId: 'order-saga-create-topics',
  brokers,
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
  } finally {
    await admin.disconnect();
  }
};

main().catch((err: unknown) => {
  console.error(`[create-topics] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
