import type { Admin, Kafka, Producer } from 'kafkajs';
import { type AvroCodec, createAvroCodec } from '../../lib/avro/codec.ts';
import { loadCommonConfig } from '../../lib/config/common-config.ts';
import type { RecordName } from '../../lib/contracts/generated.ts';
import { createIdempotentProducer, createKafka } from '../../lib/kafka/kafka-client.ts';
import type { KafkaConnection } from '../../lib/kafka/kafka-security.ts';
import { createLogger } from '../../lib/logger.ts';
import { toHeaders } from '../../lib/messaging/headers.ts';
import { localKafkaAdminConnection } from '../../scripts/support/kafka-env.ts';
import { waitFor } from './wait-for.ts';

/**
 * How the specs reach Kafka: KAFKA_BROKERS and the tools' principal (admin; `npm test` sets it, and a
 * spec run by hand with `node --test` finds the local stack's admin password the same way).
 */
export const testKafkaConnection = (): KafkaConnection => localKafkaAdminConnection(process.env);

/** Real Kafka + registry access for tests, built from the same shared library the services use. */
export interface KafkaHarness {
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  codec: AvroCodec;
  close(): Promise<void>;
}

export async function openKafkaHarness(clientId = 'test-harness'): Promise<KafkaHarness> {
  const config = loadCommonConfig();
  const logger = createLogger(clientId, 'warn');
  const kafka = createKafka({ ...testKafkaConnection(), clientId, logger });
  const admin = kafka.admin();
  const producer = createIdempotentProducer(kafka);
  await Promise.all([admin.connect(), producer.connect()]);
  const codec = createAvroCodec({ registryUrl: config.schemaRegistryUrl, logger });
  await codec.registerAll();
  return {
    kafka,
    admin,
    producer,
    codec,
    close: async () => {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    },
  };
}

/** A topic of one partition and its dead-letter topic (`<topic>-dlt`), for a consumer's test. */
export async function createTopicWithDeadLetters(admin: Admin, topic: string): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: [topic, `${topic}-dlt`].map((name) => ({ topic: name, numPartitions: 1, replicationFactor: 1 })),
  });
}

/** Deletes what createTopicWithDeadLetters created (best effort: the test's result stands). */
export const deleteTopicWithDeadLetters = (admin: Admin, topic: string): Promise<void> =>
  admin.deleteTopics({ topics: [topic, `${topic}-dlt`] }).catch(() => undefined);

/** Headers of a message that starts a conversation (correlation = order, no cause), sent now. */
export const firstMessageHeaders = (recordType: RecordName, orderId: string, messageId: string) =>
  toHeaders({
    messageId,
    orderId,
    correlationId: orderId,
    causationId: null,
    recordType,
    occurredAt: new Date().toISOString(),
  });

/** The consumer group id a service uses in this test run. */
export const groupOf = (service: string): string => `${service}${process.env.KAFKA_GROUP_ID_SUFFIX ?? ''}`;

/** Waits until `groupId` has committed past `offset` on the partition: the message was handled. */
export async function waitForCommittedPast(
  admin: Admin,
  groupId: string,
  topic: string,
  partition: number,
  offset: string,
): Promise<void> {
  await waitFor(`${groupId} to commit past ${topic}[${partition}]@${offset}`, async () => {
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const position = committed?.partitions.find((p) => p.partition === partition)?.offset;
    return position !== undefined && BigInt(position) > BigInt(offset) ? true : undefined;
  });
}

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

/**
 * Reads a topic from the beginning with a throwaway consumer group and keeps every message in
 * `messages`; `stop()` disconnects. For assertions on what services published.
 */
export async function recordTopic(
  kafka: Kafka,
  topic: string,
): Promise<{
  messages: ConsumedMessage[];
  /** Resolves once every message on the topic as of this call has been recorded. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}> {
  const consumer = kafka.consumer({
    groupId: `test-reader-${topic}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    maxWaitTimeInMs: 100,
  });
  const messages: ConsumedMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic: t, partition, message }) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(message.headers ?? {})) {
        const first = Array.isArray(value) ? value[0] : value;
        if (first !== undefined) headers[name] = first.toString();
      }
      messages.push({
        topic: t,
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value,
        headers,
      });
    },
  });
  const caughtUp = async (): Promise<void> => {
    const admin = kafka.admin();
    await admin.connect();
    let ends: Array<{ partition: number; high: string }>;
    try {
      ends = await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect();
    }
    const recordedTo = (partition: number) =>
      messages.reduce(
        (max, m) => (m.partition === partition && BigInt(m.offset) + 1n > max ? BigInt(m.offset) + 1n : max),
        0n,
      );
    await waitFor(`the recorder to reach the end of ${topic}`, () =>
      ends.every((end) => recordedTo(end.partition) >= BigInt(end.high)) ? true : undefined,
    );
  };
  return { messages, caughtUp, stop: () => consumer.disconnect() };
}
