import type { ConsumerRunConfig, Kafka, Producer } from 'kafkajs';
import type { UnitOfWorkRunner } from '../db/unit-of-work.ts';
import type { Logger } from '../logger.ts';
import { type Tracing, tracingOff } from '../tracing/tracing-api.ts';
import type { ConsumerObserver } from './consumer-observer.ts';
import { createEachBatch } from './each-batch.ts';
import type { FaultHooks } from './fault-hooks.ts';
import { createGroupMember, type GroupSettings } from './group-member.ts';
import { type ApplyInTransaction, createFetchTransactions, handleOnce } from './inbox-transactions.ts';
import type { BatchHandler, IncomingMessage, RecordDecoder } from './incoming-message.ts';
import { createOffsetCommits } from './offset-commits.ts';
import { createRetryPolicy } from './retry-policy.ts';

// The consumer's public API: what services, handlers and specs import.
export { fetchTransactionsInFlight, handleOnce } from './inbox-transactions.ts';
export type { BatchHandler, ConsumerObserver, IncomingMessage, RecordDecoder };

export interface MessageConsumerOptions extends GroupSettings, FaultHooks {
  kafka: Kafka;
  groupId: string;
  topics: readonly string[];
  decoder: RecordDecoder;
  /** Runs each transaction of inbox ids, handler effects and outbox rows. */
  units: UnitOfWorkRunner;
  /** Postgres schema whose `inbox` table records processed message ids. */
  inboxSchema: string;
  handle: BatchHandler;
  /** Producer used for dead letters. */
  producer: Producer;
  logger: Logger;
  /** Attempts of a failing message, alone in its transaction, before it is dead-lettered. */
  maxHandlerAttempts?: number;
  /**
   * Partition batches handled at once (16). The batches of one fetch that are in flight together
   * share one database transaction, so this bounds how many partitions one transaction covers.
   */
  partitionsConsumedConcurrently?: number;
  /**
   * Offsets are committed at most this often (500 ms), and once more on stop. A message handled but
   * not yet committed when an instance dies is delivered again and dropped by the inbox.
   */
  offsetCommitIntervalMs?: number;
  /** Told of each handled batch and of published dead letters (the service's metrics); none by default. */
  observer?: ConsumerObserver;
  /** Records a span per message when on (tracingOff by default). */
  tracing?: Tracing;
}

export interface MessageConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while the consumer is a live member of its group. */
  readonly ready: boolean;
}

/**
 * The one way every service consumes Kafka: the partition batches of a fetch share one database
 * transaction (inbox claim + handler effects + outbox rows); offsets are resolved only after it
 * commits and sent to the broker on a short timer, not per batch. Undecodable messages
 * and messages whose handler keeps failing go to `<topic>-dlt` with the reason, and the consumer
 * moves on; infrastructure outages are waited out (never dead-lettered).
 *
 * Wiring only; each concern has its module: group-member.ts (kafkajs consumer, membership,
 * replacement), each-batch.ts (one partition batch, step by step), batch-decoding.ts,
 * inbox-transactions.ts (each message once), retry-policy.ts (outages, poison, dead letters),
 * offset-commits.ts, fault-hooks.ts.
 */
export function createMessageConsumer(options: MessageConsumerOptions): MessageConsumer {
  const { units, inboxSchema, handle } = options;
  const log = options.logger.child({ component: 'consumer', groupId: options.groupId });
  const offsetCommitIntervalMs = options.offsetCommitIntervalMs ?? 500;

  const applyInTransaction: ApplyInTransaction = (messages: readonly IncomingMessage[]) =>
    handleOnce(units, inboxSchema, handle, messages);
  const offsets = createOffsetCommits(log, offsetCommitIntervalMs);
  const eachBatch = createEachBatch({
    groupId: options.groupId,
    decoder: options.decoder,
    retries: createRetryPolicy({
      log,
      fetchTransactions: createFetchTransactions(applyInTransaction),
      applyInTransaction,
      maxHandlerAttempts: options.maxHandlerAttempts ?? 3,
    }),
    faults: options,
    offsets,
    producer: options.producer,
    log,
    observer: options.observer ?? null,
    tracing: options.tracing ?? tracingOff,
  });
  const runConfig: ConsumerRunConfig = {
    eachBatchAutoResolve: false,
    autoCommit: false,
    autoCommitInterval: offsetCommitIntervalMs,
    partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 16,
    eachBatch,
  };
  const member = createGroupMember({ ...options, log, runConfig, onReplaced: offsets.forget });

  return {
    get ready() {
      return member.ready;
    },
    async start() {
      await member.start();
      offsets.start();
    },
    async stop() {
      // No replacement may start while the last offsets are committed.
      member.halt();
      await offsets.stop();
      await member.disconnect();
    },
  };
}
