import type { Producer, TopicMessages } from 'kafkajs';
import type { Logger } from '../logger.ts';
import type { CommittedRows } from './committed-rows.ts';
import type { OutboxRow } from './outbox-batch.ts';
import { chunkByTopicBytes } from './produce-chunks.ts';

/** Publishes rows to Kafka, in order; resolves once the broker acknowledged all of them. */
export type PublishRows = (batch: readonly OutboxRow[]) => Promise<void>;

/** Told of each acknowledged produce request (the metrics: lib/metrics/outbox-metrics.ts). */
export interface OutboxPublishObserver {
  published(rows: readonly OutboxRow[], ackedAtMs: number): void;
}

export interface RowPublisherOptions {
  /** Only its sendBatch is used. */
  producer: Pick<Producer, 'sendBatch'>;
  /** Where each acknowledged chunk is marked published (so it is deleted, and not published again). */
  rows: CommittedRows;
  /** Most bytes of one topic in one produce request (produce-chunks.ts). */
  maxTopicBytes: number;
  /** See OutboxRelayOptions.describeAccessError. */
  describeAccessError: ((error: unknown, topics: readonly string[]) => string | null) | undefined;
  logger: Logger;
  observer?: OutboxPublishObserver | undefined;
}

/**
 * One produce request's messages: the rows grouped by topic, topics in the order of their first
 * row, each topic's rows in their order (so each key's rows stay in order).
 */
export function topicMessagesOf(rows: readonly OutboxRow[]): TopicMessages[] {
  const byTopic = new Map<string, OutboxRow[]>();
  for (const row of rows) {
    const topicRows = byTopic.get(row.topic);
    if (topicRows) topicRows.push(row);
    else byTopic.set(row.topic, [row]);
  }
  return [...byTopic].map(([topic, topicRows]) => ({
    topic,
    messages: topicRows.map((r) => ({ key: r.message_key, value: r.payload, headers: r.headers })),
  }));
}

/**
 * One produce request per chunk (idempotent producer, acks=all), in order; each chunk counts as
 * published once acknowledged. A failure is rethrown for the relay's retry, after a line naming the
 * credential or ACL at fault when Kafka refused access.
 */
export function createRowPublisher(options: RowPublisherOptions): PublishRows {
  const { producer, rows, maxTopicBytes, describeAccessError, logger, observer } = options;
  return async (batch) => {
    for (const chunk of chunkByTopicBytes(batch, maxTopicBytes)) {
      const topicMessages = topicMessagesOf(chunk);
      try {
        await producer.sendBatch({ acks: -1, topicMessages });
      } catch (error) {
        const problem = describeAccessError?.(
          error,
          topicMessages.map((t) => t.topic),
        );
        if (problem) logger.error({ err: error }, problem);
        throw error;
      }
      rows.markPublished(chunk);
      observer?.published(chunk, Date.now());
    }
  };
}
