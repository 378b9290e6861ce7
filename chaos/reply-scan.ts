/**
 * Reads every reply on this run's event topics (headers only: message id, causation id, record
 * type, order id), from the beginning to the high watermark taken when the scan starts.
 */
import { applyKafkajsPatches } from '../lib/kafka/kafkajs-patches/index.ts';
import { readToEnd } from '../lib/kafka/read-to-end.ts';
import { HeaderNames, headerString } from '../lib/messaging/headers.ts';
import { type ChaosEnvironment, chaosKafka } from './environment.ts';

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
  const records: ReplySeen[] = [];
  const kafka = chaosKafka(env, 'chaos-check');
  await readToEnd(kafka, {
    topics,
    groupId,
    timeoutMs,
    onMessage: (topic, partition, m) =>
      records.push({
        messageId:
          headerString(m.headers, HeaderNames.messageId) ??
          `(no message id at ${topic}:${partition}@${m.offset})`,
        causationId: headerString(m.headers, HeaderNames.causationId) ?? null,
        orderId: headerString(m.headers, HeaderNames.orderId) ?? null,
        type: headerString(m.headers, HeaderNames.recordType) ?? null,
        topic,
      }),
  });
  return { records, topics };
}
