import type { Producer } from 'kafkajs';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { CommittedRows } from './committed-rows.ts';
import { createOutboxPool, OutboxBatchStatements, type OutboxRow } from './outbox-batch.ts';
import { outboxChannelOf } from './outbox-channel.ts';
import { createOutboxVacuum, DEFAULT_OUTBOX_VACUUM_EVERY_ROWS } from './outbox-vacuum.ts';
import { chunkByTopicBytes, DEFAULT_MAX_TOPIC_BYTES_PER_REQUEST } from './produce-chunks.ts';

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
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { schema, producer, logger } = options;
  const batchSize = options.batchSize ?? DEFAULT_OUTBOX_RELAY_BATCH_SIZE;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const deleteEveryMs = options.deleteEveryMs ?? DEFAULT_OUTBOX_DELETE_EVERY_MS;
  const table = `${schema}.outbox`;
  const log = logger.child({ component: 'outbox-relay', schema });

  let stopped = false;
  let running: Promise<void> | null = null;
  let rerun = false;
  let healthy = true;
  let failures = 0;
  // The outbox may hold rows this relay has not published: read it before publishing from memory.
  let tableDirty = true;
  // The connection whose session holds the relay lock; null while this relay is not the publisher.
  let owner: pg.PoolClient | null = null;
  // Commits of this process that sent no NOTIFY (this relay held the lock when they wrote) and that
  // it did not publish from memory, and how many of them are known to be seen by the publisher: a
  // read of this relay's began after them, or a NOTIFY it sent on their behalf.
  let unnotifiedCommits = 0;
  let unnotifiedCommitsSeen = 0;
  let deleteTimer: NodeJS.Timeout | null = null;
  let deleteDue = false;
  let publishedFromMemory = 0;
  let listener: pg.Client | null = null;
  const idleWaiters: Array<() => void> = [];
  const rows = new CommittedRows();
  const vacuumEveryRows = options.vacuumEveryRows ?? DEFAULT_OUTBOX_VACUUM_EVERY_ROWS;
  const vacuum =
    vacuumEveryRows > 0
      ? createOutboxVacuum({
          databaseUrl: options.databaseUrl,
          table,
          everyRows: vacuumEveryRows,
          logger: log,
        })
      : null;

  // The relay's own connection (not the service's pools), kept open: its session holds the relay
  // lock. Statements prepared once (outbox-batch.ts).
  const pool = createOutboxPool(options.databaseUrl, { idleTimeoutMillis: 0 });
  pool.on('error', (error) => log.warn({ err: error }, 'idle outbox relay connection failed'));
  pool.on('remove', (client) => {
    if (client === owner) loseLock();
  });
  const statements = new OutboxBatchStatements(schema, batchSize);

  /**
   * Drops the queued rows: they are in the table, to be read back from there. They were committed
   * without a NOTIFY, so whoever publishes next may not know of them yet.
   */
  const readQueuedFromTable = (): void => {
    if (rows.queued > 0) unnotifiedCommits += 1;
    rows.dropQueued();
    tableDirty = true;
  };
  /** The lock went with its connection: whoever holds it next reads the queued rows from the table. */
  const loseLock = (): void => {
    owner = null;
    readQueuedFromTable();
  };
  const publishingFromMemory = (): boolean => owner !== null && listener !== null && !stopped;

  const maxTopicBytes = options.maxTopicBytesPerRequest ?? DEFAULT_MAX_TOPIC_BYTES_PER_REQUEST;
  /** One produce request per chunk, in order; each chunk counts as published once acknowledged. */
  const publish = async (batch: readonly OutboxRow[]): Promise<void> => {
    for (const chunk of chunkByTopicBytes(batch, maxTopicBytes)) {
      const byTopic = new Map<string, OutboxRow[]>();
      for (const row of chunk) {
        const topicRows = byTopic.get(row.topic);
        if (topicRows) topicRows.push(row);
        else byTopic.set(row.topic, [row]);
      }
      try {
        await producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, topicRows]) => ({
            topic,
            messages: topicRows.map((r) => ({ key: r.message_key, value: r.payload, headers: r.headers })),
          })),
        });
      } catch (error) {
        const problem = options.describeAccessError?.(error, [...byTopic.keys()]);
        if (problem) log.error({ err: error }, problem);
        throw error;
      }
      rows.markPublished(chunk);
    }
  };

  /** Runs `work` on the relay's connection; a failure discards the connection (and so the lock). */
  const onConnection = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    try {
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      if (client === owner) loseLock();
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  };

  /** Publishes up to one batch read from the table; -1 when another instance holds the relay lock. */
  const publishTableBatch = (): Promise<number> =>
    onConnection(async (client) => {
      if (client !== owner) {
        if (!(await statements.takeSessionLock(client))) return -1;
        owner = client;
      }
      const stale = rows.toDelete();
      const read = await statements.lockAndRead(client, stale);
      if (read === null) {
        await client.query('commit');
        return -1;
      }
      const fresh = rows.unpublished(read);
      if (fresh.length > 0) await publish(fresh);
      await statements.deleteAndCommit(client, read);
      rows.deleted(stale);
      rows.deleted(read.map((row) => row.seq));
      vacuum?.deleted(stale.length + read.length);
      return read.length;
    });

  const publishMemoryBatch = async (): Promise<void> => {
    const batch = rows.take(batchSize);
    if (batch.length === 0) return;
    await publish(batch);
    publishedFromMemory += batch.length;
    if (deleteTimer === null && deleteEveryMs > 0) {
      deleteTimer = setTimeout(() => {
        deleteTimer = null;
        deleteDue = true;
        kick();
      }, deleteEveryMs);
    }
  };

  const deletePublished = (): Promise<void> =>
    onConnection(async (client) => {
      const seqs = rows.toDelete();
      await statements.deletePublished(client, seqs);
      rows.deleted(seqs);
      vacuum?.deleted(seqs.length);
    });

  /** One step of the publisher loop: false when there is nothing left to do. */
  const step = async (): Promise<boolean> => {
    if (tableDirty) {
      // Cleared first: a NOTIFY during the read sets it again, and the read runs once more.
      tableDirty = false;
      const unnotifiedBefore = unnotifiedCommits;
      const published = await publishTableBatch();
      if (published === -1) {
        // Another instance holds the relay lock. If this process committed rows without a NOTIFY,
        // send one now, after their commit: the publisher reads the table and finds them.
        if (unnotifiedCommits > unnotifiedCommitsSeen) {
          const unnotified = unnotifiedCommits;
          await onConnection((client) => statements.notify(client, outboxChannelOf(schema)));
          unnotifiedCommitsSeen = Math.max(unnotifiedCommitsSeen, unnotified);
        }
        return false;
      }
      if (published >= batchSize) tableDirty = true;
      // The outbox was drained as of this read: the rows of every commit before it are published.
      else unnotifiedCommitsSeen = Math.max(unnotifiedCommitsSeen, unnotifiedBefore);
      return true;
    }
    if (rows.queued > 0) {
      await publishMemoryBatch();
      return true;
    }
    if (rows.awaitingDelete > 0 && (deleteDue || rows.awaitingDelete >= batchSize || deleteEveryMs === 0)) {
      deleteDue = false;
      await deletePublished();
      return true;
    }
    return false;
  };

  const runUntilIdle = async (): Promise<void> => {
    do {
      rerun = false;
      for (;;) {
        if (stopped) return;
        let more: boolean;
        try {
          more = await step();
          if (!healthy) log.info('outbox relay recovered');
          healthy = true;
          failures = 0;
        } catch (error) {
          failures += 1;
          healthy = false;
          readQueuedFromTable();
          const backoffMs = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
          log.warn(
            { err: error, backoffMs },
            'outbox relay could not publish; rows stay in the outbox and will be retried',
          );
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          continue;
        }
        if (!more) break;
      }
    } while (rerun && !stopped);
    if (rows.awaitingDelete === 0) for (const wake of idleWaiters.splice(0)) wake();
  };

  const lingerMs = options.lingerMs ?? 0;
  const kick = (): void => {
    if (stopped) return;
    if (running) {
      rerun = true;
      return;
    }
    const linger =
      lingerMs > 0 ? new Promise<void>((resolve) => setTimeout(resolve, lingerMs)) : Promise.resolve();
    running = linger.then(runUntilIdle).finally(() => {
      running = null;
    });
  };
  /** The outbox may hold rows this relay has not seen. */
  const readTable = (): void => {
    tableDirty = true;
    kick();
  };

  const listen = async (): Promise<void> => {
    if (stopped) return;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    client.on('notification', readTable);
    client.on('error', (error) => {
      log.warn({ err: error }, 'outbox LISTEN connection lost; polling until it is back');
      listener = null;
      client.end().catch(() => undefined);
      setTimeout(() => void listen().catch(() => undefined), 1_000);
    });
    try {
      await client.connect();
      await client.query(`listen ${outboxChannelOf(schema)}`);
      listener = client;
      readTable();
    } catch (error) {
      log.warn({ err: error }, 'outbox LISTEN failed; retrying in 1s');
      await client.end().catch(() => undefined);
      setTimeout(() => void listen().catch(() => undefined), 1_000);
    }
  };

  void listen();
  const poller = setInterval(readTable, pollIntervalMs);
  readTable();

  return {
    get healthy() {
      return healthy;
    },
    get holdsLock() {
      return owner !== null;
    },
    get vacuums() {
      return vacuum?.runs ?? 0;
    },
    get publishedFromMemory() {
      return publishedFromMemory;
    },
    committed: (committedRows, notified) => {
      if (committedRows.length > 0 && publishingFromMemory()) {
        rows.enqueue(committedRows);
        kick();
        return;
      }
      // Its NOTIFY wakes whoever publishes, unless that is this relay with its LISTEN connection down.
      if (notified && owner === null) return;
      if (!notified) unnotifiedCommits += 1;
      readTable();
    },
    drain: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        deleteDue = true;
        readTable();
      }),
    stop: async () => {
      stopped = true;
      clearInterval(poller);
      if (deleteTimer !== null) clearTimeout(deleteTimer);
      await running;
      // Published rows left undeleted would be published once more by the next publisher.
      if (rows.awaitingDelete > 0 && owner !== null) {
        await deletePublished().catch((error: unknown) =>
          log.warn(
            { err: error },
            'outbox relay: published rows not deleted at stop; they will be published again',
          ),
        );
      }
      await listener?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await vacuum?.stop();
      for (const wake of idleWaiters.splice(0)) wake();
    },
  };
}
