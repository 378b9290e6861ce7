import type { DeadLetterReason } from './dead-letter.ts';

/**
 * What a consumer reports about its work (lib/metrics/consumer-metrics.ts implements it), once per
 * partition batch, never per message, and only for work that is done: a batch whose transaction
 * committed, dead letters the broker acknowledged.
 */
export interface ConsumerObserver {
  /** A partition batch is handled; `lag`: messages on the partition after its last one. */
  batchHandled(topic: string, partition: number, lag: number): void;
  /** Dead letters of messages from `topic` were published, `count` of them for `reason`. */
  deadLettered(topic: string, reason: DeadLetterReason, count: number): void;
}
