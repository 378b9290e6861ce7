import type { Producer } from 'kafkajs';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { outboxChannelOf } from './outbox.ts';
import { createOutboxPool, OutboxBatchStatements, type OutboxRow } from './outbox-batch.ts';
import { createOutboxVacuum, DEFAULT_OUTBOX_VACUUM_EVERY_ROWS } from './outbox-vacuum.ts';

export interface OutboxRelayOptions {
  databaseUrl: string;
  schema: string;
  producer: Producer;
  logger: Logger;
  batchSize?: number;
  /** Wait after a wake-up from idle before reading, so one batch carries more rows (0). */
  lingerMs?: number;
  /** Fallback poll when no notification arrives (missed NOTIFY, LISTEN connection down). */
  pollIntervalMs?: number;
  /**
   * After a local wake-up found the relay lock held by another instance, try again this soon (50 ms):
   * that instance may have read the outbox before these rows committed, and no NOTIFY was sent.
   */
  contentionRetryMs?: number;
  /**
   * Vacuum the outbox after this many published (deleted) rows, in the background (5,000; 0 never):
   * see outbox-vacuum.ts.
   */
  vacuumEveryRows?: number;
}

export interface OutboxRelay extends LocalOutboxRelay {
  /** Resolves once the outbox was seen empty (used by tests and graceful shutdown). */
  drain(): Promise<void>;
  stop(): Promise<void>;
  readonly healthy: boolean;
  /** Vacuums of the outbox this relay completed. */
  readonly vacuums: number;
}

/** What the outbox of the same process needs from its relay (see Outbox). */
export interface LocalOutboxRelay {
  /** Rows were committed by this process: publish them (no NOTIFY round trip through Postgres). */
  wake(): void;
  /**
   * True while this relay is the one publishing (it took the relay lock on its last attempt): this
   * process's commits then need no NOTIFY, a local wake-up reaches the publisher.
   */
  readonly holdsLock: boolean;
}

/**
 * Publishes outbox rows to Kafka in batches, in `seq` order, and deletes them once the broker
 * acknowledged them (idempotent producer, acks=all). Woken directly by commits of its own process
 * (`wake`), by LISTEN/NOTIFY for commits of other instances, and by a slow poll as a safety net. A
 * transaction-scoped advisory lock makes any number of instances safe: one publishes, the others
 * skip, so per-key order is kept. If Kafka is down the rows stay and are retried.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { schema, producer, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const contentionRetryMs = options.contentionRetryMs ?? 50;
  const table = `${schema}.outbox`;
  const log = logger.child({ component: 'outbox-relay', schema });

  let stopped = false;
  let running: Promise<void> | null = null;
  let rerun = false;
  let healthy = true;
  let failures = 0;
  // Until the first attempt says otherwise, commits NOTIFY as if another instance published.
  let holdsLock = false;
  // Local wake-ups so far, and how many of them an attempt that took the lock had seen (its read
  // began after them, so it saw their rows): more wakes than seen = rows maybe not yet published.
  let localWakes = 0;
  let localWakesSeen = 0;
  let contentionRetry: NodeJS.Timeout | null = null;
  let listener: pg.Client | null = null;
  const idleWaiters: Array<() => void> = [];
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

  // The relay's own connection (not the service's pools): two round trips per batch, each statement
  // prepared once (outbox-batch.ts).
  const pool = createOutboxPool(options.databaseUrl);
  pool.on('error', (error) => log.warn({ err: error }, 'idle outbox relay connection failed'));
  const statements = new OutboxBatchStatements(schema, batchSize);

  /** Publishes up to one batch; -1 when another instance holds the relay lock. */
  const publishBatch = async (): Promise<number> => {
    const client = await pool.connect();
    let failure: Error | undefined;
    try {
      const rows = await statements.lockAndRead(client);
      if (rows === null) {
        await client.query('commit');
        return -1;
      }
      if (rows.length === 0) {
        await client.query('commit');
        return 0;
      }
      const byTopic = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const topicRows = byTopic.get(row.topic);
        if (topicRows) topicRows.push(row);
        else byTopic.set(row.topic, [row]);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, topicRows]) => ({
          topic,
          messages: topicRows.map((r) => ({ key: r.message_key, value: r.payload, headers: r.headers })),
        })),
      });
      await statements.deleteAndCommit(client, rows);
      vacuum?.deleted(rows.length);
      return rows.length;
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      // A failed batch discards its connection: the next one starts on a fresh session.
      client.release(failure);
    }
  };

  const runUntilEmpty = async (): Promise<void> => {
    do {
      rerun = false;
      for (;;) {
        if (stopped) return;
        let published: number;
        const wakesBefore = localWakes;
        try {
          published = await publishBatch();
          if (!healthy) log.info('outbox relay recovered');
          healthy = true;
          failures = 0;
        } catch (error) {
          failures += 1;
          healthy = false;
          const backoffMs = Math.min(5_000, 100 * 2 ** Math.min(failures, 6));
          log.warn(
            { err: error, backoffMs },
            'outbox relay could not publish; rows stay in the outbox and will be retried',
          );
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          continue;
        }
        holdsLock = published !== -1;
        if (published === -1) {
          // Another instance holds the relay lock. If this process committed rows without a NOTIFY,
          // look again soon: that instance may have read the outbox before they committed.
          if (localWakes > localWakesSeen && contentionRetry === null && !stopped) {
            contentionRetry = setTimeout(() => {
              contentionRetry = null;
              kick();
            }, contentionRetryMs);
          }
          break;
        }
        if (published < batchSize) {
          // The outbox was drained as of this read: the rows of every wake before it are published.
          localWakesSeen = Math.max(localWakesSeen, wakesBefore);
          break;
        }
      }
    } while (rerun && !stopped);
    for (const wake of idleWaiters.splice(0)) wake();
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
    running = linger.then(runUntilEmpty).finally(() => {
      running = null;
    });
  };

  const listen = async (): Promise<void> => {
    if (stopped) return;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    client.on('notification', kick);
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
      kick();
    } catch (error) {
      log.warn({ err: error }, 'outbox LISTEN failed; retrying in 1s');
      await client.end().catch(() => undefined);
      setTimeout(() => void listen().catch(() => undefined), 1_000);
    }
  };

  void listen();
  const poller = setInterval(kick, pollIntervalMs);
  kick();

  return {
    get healthy() {
      return healthy;
    },
    get holdsLock() {
      return holdsLock;
    },
    get vacuums() {
      return vacuum?.runs ?? 0;
    },
    wake: () => {
      localWakes += 1;
      kick();
    },
    drain: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        kick();
      }),
    stop: async () => {
      stopped = true;
      clearInterval(poller);
      if (contentionRetry !== null) clearTimeout(contentionRetry);
      await running;
      await listener?.end().catch(() => undefined);
      await pool.end().catch(() => undefined);
      await vacuum?.stop();
      for (const wake of idleWaiters.splice(0)) wake();
    },
  };
}
