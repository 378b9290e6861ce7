/**
 * Reads every reply on this run's event topics (headers only: message id, causation id, record
 * type, order id), from the beginning to the high watermark taken when the scan starts.
 */
import { Kafka, logLevel } from 'kafkajs';
import { applyKafkajsPatches } from '../lib/kafka/kafkajs-patches.ts';
import { HeaderNames, headerString } from '../lib/messaging/headers.ts';
import { type ChaosEnvironment, withAdmin } from './environment.ts';

applyKafkajsPatches();

export interface ReplySeen {
  messageId: string;
  causationId: string | null;
  orderId: string | null;
  type: string | null;
  topic: string;
}

export interface ReplyScan {
  /** One entry per Kafka record (a message published twice appears twice). */
  records: ReplySeen[];
  topics: string[];
}

export async function scanReplies(
  env: ChaosEnvironment,
  groupId: string,
  timeoutMs = 180_000,
): Promise<ReplyScan> {
  const topics = ['inventory-events', 'payment-events', 'shipping-events'].map(
    (t) => `${env.topicPrefix}${t}`,
  );
  const remaining = new Map<string, bigint>();
  await withAdmin(env.brokers, async (admin) => {
    for (const topic of topics) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}:${p.partition}`, BigInt(p.high));
      }
    }
  });
  const records: ReplySeen[] = [];
  if (remaining.size === 0) return { records, topics };

  const kafka = new Kafka({ clientId: 'chaos-check', brokers: env.brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `reply scan did not reach the end of ${[...remaining.keys()].join(', ')} in ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              records.push({
                messageId:
                  headerString(m.headers, HeaderNames.messageId) ??
                  `(no message id at ${batch.topic}:${batch.partition}@${m.offset})`,
                causationId: headerString(m.headers, HeaderNames.causationId) ?? null,
                orderId: headerString(m.headers, HeaderNames.orderId) ?? null,
                type: headerString(m.headers, HeaderNames.recordType) ?? null,
                topic: batch.topic,
              });
            }
            const key = `${batch.topic}:${batch.partition}`;
            const end = remaining.get(key);
            const last = batch.messages[batch.messages.length - 1];
            if (end !== undefined && last && BigInt(last.offset) + 1n >= end) remaining.delete(key);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  return { records, topics };
}
