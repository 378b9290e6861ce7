import type { EnvReader } from '../config/env.ts';

/**
 * How long processed-message ids stay in a service's inbox, and how the pruner paces itself.
 *
 * The inbox is what makes a redelivered message a no-op: once a message's row is pruned, the same
 * message delivered again would be applied again. So the retention must exceed every window in
 * which a message can come back: the consumer's uncommitted offsets (at most
 * KAFKA_OFFSET_COMMIT_INTERVAL_MS plus a session timeout), and, for re-reads from an older offset
 * (a reset group, an operator's DLT replay, a restore), the topics' `retention.ms`. The default
 * (14 days) is twice Kafka's default topic retention (7 days). The floor (10 minutes, enforced when
 * the config is read) is above the longest in-group redelivery window the settings allow (60 s commit
 * interval + 300 s session timeout = 6 minutes); it does not cover re-reads from older offsets: that
 * part of the rule is the operator's (docs/operations.md).
 */
export interface RetentionConfig {
  /** INBOX_RETENTION_MINUTES: inbox rows processed longer ago than this are pruned. */
  inboxRetentionMinutes: number;
  /** PRUNE_INTERVAL_MS: pause between pruning rounds (a round deletes batches until one is short). */
  pruneIntervalMs: number;
  /** PRUNE_BATCH_SIZE: most rows one DELETE removes (one short transaction each). */
  pruneBatchSize: number;
}

export const INBOX_RETENTION_FLOOR_MINUTES = 10;
export const DEFAULT_INBOX_RETENTION_MINUTES = 14 * 24 * 60;

export function readRetentionConfig(reader: EnvReader): RetentionConfig {
  return {
    inboxRetentionMinutes: reader.int('INBOX_RETENTION_MINUTES', DEFAULT_INBOX_RETENTION_MINUTES, {
      min: INBOX_RETENTION_FLOOR_MINUTES,
    }),
    pruneIntervalMs: reader.int('PRUNE_INTERVAL_MS', 60_000, { min: 100, max: 3_600_000 }),
    pruneBatchSize: reader.int('PRUNE_BATCH_SIZE', 1_000, { min: 1, max: 100_000 }),
  };
}

export const minutesMs = (minutes: number): number => minutes * 60_000;
