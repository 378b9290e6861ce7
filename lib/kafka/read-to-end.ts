import type { Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads topics from the beginning up to the end offsets they have when the call starts, with a
 * consumer group of its own (`groupId`, new for each read), handing every message to `onMessage`.
 * Rejects after `timeoutMs`, naming the partitions not read to the end. For tools that look at what
 * a run published once it is over (the chaos check's reply scan, the bench's saga legs).
 */
export async function readToEnd(
  kafka: Kafka,
  {
    topics,
    groupId,
    timeoutMs,
    onMessage,
  }: {
    topics: readonly string[];
    groupId: string;
    timeoutMs: number;
    onMessage: (topic: string, partition: number, message: KafkaMessage) => void;
  },
): Promise<void> {
  const ends = new Map<string, bigint>();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic))
        if (BigInt(p.high) > BigInt(p.low)) ends.set(`${topic}:${p.partition}`, BigInt(p.high));
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return;

  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`did not read ${[...ends.keys()].join(', ')} to the end within ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) onMessage(batch.topic, batch.partition, message);
            const key = `${batch.topic}:${batch.partition}`;
            const end = ends.get(key);
            const last = batch.messages[batch.messages.length - 1];
            if (end !== undefined && last && BigInt(last.offset) + 1n >= end) ends.delete(key);
            if (ends.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}
