/**
 * Dead letters as an operator sees them: read from a `<topic>-dlt` topic from its beginning up to
 * its end at the time of reading, by a consumer of a fresh group that commits nothing (the services'
 * groups and any earlier listing are left as they were; the operator may read only the groups
 * `dlt-tool-*`). The headers are the ones lib/messaging/dead-letter.ts sets.
 */
import { randomUUID } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';
import { dltToolGroupPrefix } from '../../lib/kafka/acls.ts';

export interface DeadLetterRecord {
  /** Where the letter is in the DLT topic. */
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  /** Every header, as text (the original message's and the dlt-* ones). */
  headers: Record<string, string>;
  reason: string;
  error: string;
  source: { topic: string; partition: number; offset: string };
  failedAt: string;
  messageId: string | null;
}

const text = (value: IHeaders[string]): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

export function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const t = text(value);
    if (t !== undefined) out[name] = t;
  }
  return out;
}

export function toDeadLetterRecord(
  partition: number,
  message: { offset: string; key: Buffer | null; value: Buffer | null; headers?: IHeaders },
): DeadLetterRecord {
  const headers = headersAsText(message.headers);
  return {
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? null,
    value: message.value,
    headers,
    reason: headers['dlt-reason'] ?? '?',
    error: headers['dlt-error'] ?? '',
    source: {
      topic: headers['dlt-source-topic'] ?? '?',
      partition: Number(headers['dlt-source-partition'] ?? -1),
      offset: headers['dlt-source-offset'] ?? '?',
    },
    failedAt: headers['dlt-failed-at'] ?? '?',
    messageId: headers['message-id'] ?? null,
  };
}

/** Every letter in `dltTopic` now, in partition then offset order. */
export async function readDeadLetters(kafka: Kafka, dltTopic: string): Promise<DeadLetterRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(dltTopic);
    ends = new Map(
      offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]),
    );
  } finally {
    await admin.disconnect();
  }
  const records: DeadLetterRecord[] = [];
  if (ends.size === 0) return records;
  const groupId = `${dltToolGroupPrefix}${randomUUID()}`;
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 250 });
  const pending = new Set(ends.keys());
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [dltTopic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        if (end === undefined) return;
        for (const message of batch.messages)
          if (BigInt(message.offset) < end) records.push(toDeadLetterRecord(batch.partition, message));
        if (BigInt(batch.lastOffset()) >= end - 1n) {
          pending.delete(batch.partition);
          if (pending.size === 0) done();
        }
      },
    });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
