import type { Producer } from 'kafkajs';
import { type SessionTimeouts, sessionTimeouts } from '../db/session-timeouts.ts';
import type { Logger } from '../logger.ts';
import type { OutboxRow } from './outbox-batch.ts';
import { createOutboxVacuum, DEFAULT_OUTBOX_VACUUM_EVERY_ROWS } from './outbox-vacuum.ts';
import { DEFAULT_MAX_TOPIC_BYTES_PER_REQUEST } from './produce-chunks.ts';
import { listenForOutboxCommits } from './relay-listener.ts';
import { RelayLoop } from './relay-loop.ts';
import { createRowPublisher, type OutboxPublishObserver } from './relay-publish.ts';
import { RelayState } from './relay-state.ts';
import { RelayTable } from './relay-table.ts';

/** How long rows published from memory wait to be deleted (see OutboxRelayOptions.deleteEveryMs). */
export const DEFAULT_OUTBOX_DELETE_EVERY_MS = 100;
/**
 * Most rows in one produce request and one table read (see OutboxRelayOptions.batchSize). At 500 the
 * orchestrator's relay, one request at a time, capped the whole system at about 2,000 sagas/s on the
 * 2-core development machine; 5,000 lifted that to about 2,350 with no change at 1,000/s
 * (bench/README.md, "Session of 2026-12-04 (second)").
 */
export const DEFAULT_OUTBOX_RELAY_BATCH_SIZE = 5_000;

export interface OutboxRelayOptions {
  databaseUrl: string;
  schema: string;
  producer: Producer;
  logger: Logger;
  /**
   * Most rows in one table read and one publish (DEFAULT_OUTBOX_RELAY_BATCH_SIZE). Under a backlog
   * the relay publishes this many rows per produce request, one request at a time.
   */
  batchSize?: number;
  /**
   * Most bytes of one topic in one produce request (DEFAULT_MAX_TOPIC_BYTES_PER_REQUEST, see
   * produce-chunks.ts); a batch above it goes out in several requests, in order.
   */
  maxTopicBytesPerRequest?: number;
  /** Wait after a wake-up from idle before reading, so one batch carries more rows (0). */
  lingerMs?: number;
  /** Fallback poll when no notification arrives (missed NOTIFY, LISTEN connection down). */
  pollIntervalMs?: number;
  /**
   * Vacuum the outbox after this many published (deleted) rows, in the background (5,000; 0 never):
   * see outbox-vacuum.ts.
   */
  vacuumEveryRows?: number;
  /**
   * Rows published from memory are deleted this long after the first of them (100 ms), or as soon
   * as a full batch waits; until then a read of the table skips them. 0 deletes after every batch.
   */
  deleteEveryMs?: number;
  /**
   * One line saying which credential or ACL is wrong when Kafka refused a send to these topics (null
   * for any other error), logged before the relay's retry (lib/kafka/kafka-access-errors.ts).
   */
  describeAccessError?: (error: unknown, topics: readonly string[]) => string | null;
  /** Told of each acknowledged produce request (the service's metrics). */
  observer?: OutboxPublishObserver;
  /** Its connections' statement and lock timeouts (default: the environment's, lib/db/session-timeouts.ts). */
  timeouts?: SessionTimeouts;
}

export interface OutboxRelay extends LocalOutboxRelay {
  /**
   * Resolves once the relay went idle with nothing left to publish and its published rows deleted
   * (used by tests and graceful shutdown).
   */
  drain(): Promise<void>;
  stop(): Promise<void>;
  readonly healthy: boolean;
  /** Vacuums of the outbox this relay completed. */
  readonly vacuums: number;
  /** Rows published from memory, without reading them back from the outbox. */
  readonly publishedFromMemory: number;
}

/** What the outbox of the same process needs from its relay (see Outbox). */
export interface LocalOutboxRelay {
  /**
   * This process committed these rows (`notified`: its transaction sent a NOTIFY). While this relay
   * is the publisher they are published from memory, without reading them back.
   */
  committed(rows: readonly OutboxRow[], notified: boolean): void;
  /**
   * True while this relay is the one publishing (its connection holds the relay lock): this
   * process's commits then need no NOTIFY, handing the rows over reaches the publisher.
   */
  readonly holdsLock: boolean;
}

/**
 * Publishes outbox rows to Kafka in batches and deletes them once the broker acknowledged them
 * (idempotent producer, acks=all). One relay of a service publishes at a time: the one whose
 * connection holds the relay lock (a session-level advisory lock); the others stand by and take it
 * over when that connection ends. If Kafka is down the rows stay and are retried.
 *
 * Two ways in, one publisher loop (so one ordering):
 * - **From memory**: rows committed by this process are handed over after their commit
 *   (`committed`) and published straight away, without reading them back; their deletes are
 *   batched (every `deleteEveryMs`, or a full batch) and ride in the next transaction of the relay.
 * - **From the table**, in `seq` order: at start, when another instance's commit NOTIFYs, on the
 *   slow poll, after any failure, and for everything while this relay is not the publisher or its
 *   LISTEN connection is down. Rows already published from memory are skipped and deleted.
 *
 * Per-key order: a saga's next message is written only after the one before it was delivered and
 * handled, except a timeout's compensation. That one is safe too: a table read runs before any
 * memory batch after each NOTIFY and each failure, so a row another instance committed earlier is
 * published first unless its NOTIFY is still in flight when the saga's deadline (seconds) expires.
 *
 * Its parts: what it knows (relay-state.ts), the publisher loop and its next step (relay-loop.ts,
 * relay-schedule.ts), the outbox table on its own connection (relay-table.ts), the produce
 * requests (relay-publish.ts) and the LISTEN connection (relay-listener.ts). This function wires
 * them and is the relay's API.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { schema, databaseUrl } = options;
  const timeouts = options.timeouts ?? sessionTimeouts();
  const batchSize = options.batchSize ?? DEFAULT_OUTBOX_RELAY_BATCH_SIZE;
  const logger = options.logger.child({ component: 'outbox-relay', schema });
  const vacuumEveryRows = options.vacuumEveryRows ?? DEFAULT_OUTBOX_VACUUM_EVERY_ROWS;
  const vacuum =
    vacuumEveryRows > 0
      ? createOutboxVacuum({
          databaseUrl,
          table: `${schema}.outbox`,
          everyRows: vacuumEveryRows,
          timeouts,
          logger,
        })
      : null;

  const state = new RelayState();
  const publish = createRowPublisher({
    producer: options.producer,
    rows: state.rows,
    maxTopicBytes: options.maxTopicBytesPerRequest ?? DEFAULT_MAX_TOPIC_BYTES_PER_REQUEST,
    describeAccessError: options.describeAccessError,
    logger,
    observer: options.observer,
  });
  const table = new RelayTable({ databaseUrl, schema, batchSize, state, publish, vacuum, timeouts, logger });
  const loop = new RelayLoop({
    state,
    table,
    publish,
    batchSize,
    lingerMs: options.lingerMs ?? 0,
    deleteEveryMs: options.deleteEveryMs ?? DEFAULT_OUTBOX_DELETE_EVERY_MS,
    logger,
  });

  listenForOutboxCommits({ databaseUrl, schema, state, onNotification: loop.readTable, timeouts, logger });
  const poller = setInterval(loop.readTable, options.pollIntervalMs ?? 1_000);
  loop.readTable();

  return {
    get healthy() {
      return loop.healthy;
    },
    get holdsLock() {
      return state.owner !== null;
    },
    get vacuums() {
      return vacuum?.runs ?? 0;
    },
    get publishedFromMemory() {
      return loop.publishedFromMemory;
    },
    committed: (committedRows, notified) => {
      if (committedRows.length > 0 && state.publishingFromMemory) {
        state.rows.enqueue(committedRows);
        loop.kick();
        return;
      }
      // Its NOTIFY wakes whoever publishes, unless that is this relay with its LISTEN connection down.
      if (notified && state.owner === null) return;
      if (!notified) state.unnotifiedCommits += 1;
      loop.readTable();
    },
    drain: () => loop.drain(),
    stop: async () => {
      state.stopped = true;
      clearInterval(poller);
      await loop.stop();
      // Published rows left undeleted would be published once more by the next publisher.
      if (state.rows.awaitingDelete > 0 && state.owner !== null) {
        await table
          .deletePublished()
          .catch((error: unknown) =>
            logger.warn(
              { err: error },
              'outbox relay: published rows not deleted at stop; they will be published again',
            ),
          );
      }
      await state.listener?.end().catch(() => undefined);
      await table.end().catch(() => undefined);
      await vacuum?.stop();
      loop.wakeIdleWaiters();
    },
  };
}
