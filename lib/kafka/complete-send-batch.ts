import type {
  ICustomPartitioner,
  Message,
  Producer,
  ProducerBatch,
  RecordMetadata,
  TopicMessages,
} from 'kafkajs';

/**
 * kafkajs 2.2.4 can resolve a `sendBatch` without sending some of its messages (tulios/kafkajs#1303).
 * A send spans brokers and keeps each broker's answer across its retries; when one broker fails
 * (killed, no longer leader) and its partitions move to a broker that already answered in an earlier
 * attempt, the retry skips that broker, so the moved partitions' messages are never sent, and the
 * send resolves. An outbox relay then deletes rows that were never published: a chaos run with a
 * broker `kill -9` lost replies and order events that way.
 *
 * The guard: the partitioner records the partition it gave each message, and after a send every
 * partition of the batch must have an acknowledgement. The messages of a partition without one are
 * sent again, alone (their idempotent sequence was not advanced, so the broker drops a copy it
 * already has); after `maxResends` rounds the send fails, for the caller's retry.
 */
export const maxResends = 10;

export class IncompleteSendError extends Error {
  readonly missing: readonly string[];
  constructor(missing: readonly string[]) {
    super(`Kafka acknowledged no write to ${missing.join(', ')} after ${maxResends} sends of their messages`);
    this.name = 'IncompleteSendError';
    this.missing = missing;
  }
}

/** The partition each message was last given (by a partitioner wrapped with `recordingPartitioner`). */
export type PartitionsGiven = WeakMap<Message, number>;

export const recordingPartitioner =
  (factory: ICustomPartitioner, given: PartitionsGiven): ICustomPartitioner =>
  () => {
    const partitioner = factory();
    return (args) => {
      const partition = partitioner(args);
      given.set(args.message, partition);
      return partition;
    };
  };

const partitionKey = (topic: string, partition: number): string => `${topic}[${partition}]`;

/** The messages of `sent` whose partition has no acknowledgement in `acked`, by topic. */
export function unacknowledged(
  sent: readonly TopicMessages[],
  acked: readonly RecordMetadata[],
  given: PartitionsGiven,
): TopicMessages[] {
  const done = new Set(
    acked.filter((a) => a.errorCode === 0).map((a) => partitionKey(a.topicName, a.partition)),
  );
  return sent
    .map(({ topic, messages }) => ({
      topic,
      messages: messages.filter((message) => {
        const partition = given.get(message);
        if (partition === undefined)
          throw new TypeError(`no partition was recorded for a message to ${topic}`);
        return !done.has(partitionKey(topic, partition));
      }),
    }))
    .filter((t) => t.messages.length > 0);
}

/**
 * `sendBatch` that resolves only once every partition of the batch was acknowledged (see above).
 * `onResend` is told of each round that had to send messages again.
 */
export function completeSendBatch(
  sendBatch: Producer['sendBatch'],
  given: PartitionsGiven,
  onResend: (partitions: readonly string[]) => void,
): Producer['sendBatch'] {
  return async (batch: ProducerBatch) => {
    const acknowledged: RecordMetadata[] = [];
    let pending = batch.topicMessages ?? [];
    for (let round = 0; pending.length > 0; round++) {
      const missing = () =>
        pending.flatMap(({ topic, messages }) => [
          ...new Set(messages.map((m) => partitionKey(topic, given.get(m) ?? -1))),
        ]);
      if (round > maxResends) throw new IncompleteSendError(missing());
      if (round > 0) onResend(missing());
      const metadata = await sendBatch({ ...batch, topicMessages: pending });
      acknowledged.push(...metadata);
      pending = unacknowledged(pending, metadata, given);
    }
    return acknowledged;
  };
}
