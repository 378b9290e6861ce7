import type { Producer } from 'kafkajs';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { outboxChannelOf } from './outbox.ts';

export interface OutboxRelayOptions {
  databaseUrl: string;
  schema: string;
  producer: Producer;
  logger: Logger;
  batchSize?: number;
  /** Wait after a wake-up from idle before reading, so one batch carries more rows (0). */
  lingerMs?: number;
  /**
   * Poll (1 s): a relay that is not the publisher tries to take over (the publisher may be gone),
   * the publisher deletes what it published last, and a missed wake-up is caught up.
   */
  pollIntervalMs?: number;
}

export interface OutboxRelay extends LocalOutboxRelay {
  /** Resolves once the outbox was seen empty (used by tests and graceful shutdown). */
  drain(): Promise<void>;
  stop(): Promise<void>;
  readonly healthy: boolean;
}

/** What the outbox of the same process needs from its relay (see Outbox). */
export interface LocalOutboxRelay {
  /** Rows were committed by this process: publish them (no NOTIFY round trip through Postgres). */
  wake(): void;
  /**
   * True while this relay is the publisher (it holds the relay lock): this process's commits then
   * need no NOTIFY, a local wake-up reaches the publisher.
   */
  readonly holdsLock: boolean;
}

interface OutboxRow {
  seq: number;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/** Seq numbers are written into SQL text: they must be plain integers. */
const seqOf = (row: OutboxRow): number => {
  if (!Number.isSafeInteger(row.seq)) throw new TypeError(`outbox seq ${String(row.seq)} is not an integer`);
  return row.seq;
};

/** Stable 32-bit advisory-lock key per schema: one relay of a service publishes at a time. */
export const lockKeyOf = (schema: string): number => {
  let hash = 0;
  for (const ch of `outbox-relay:${schema}`) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) | 0;
  return hash;
};

/**
 * Publishes outbox rows to Kafka in batches, in `seq` order (idempotent producer, acks=all). One
 * relay per service publishes: the one holding the relay lock, a session-level advisory lock on the
 * relay's own connection, kept until that connection ends; the others take over when it does.
 *
 * One round trip per batch: the rows published by the previous batch are deleted in the same query
 * that reads the next one (`delete …; select …`). Published rows therefore stay in the table until
 * the next batch or the next poll (≤ 1 s when idle); if the publisher dies before deleting them,
 * its successor publishes them again, which consumers drop by message id (the inbox).
 *
 * Woken directly by commits of its own process (`wake`), by LISTEN/NOTIFY for commits of other
 * instances, and by the poll. If Kafka is down the rows stay and are retried.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { schema, producer, logger } = options;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const table = `${schema}.outbox`;
  const lockKey = lockKeyOf(schema);
  const log = logger.child({ component: 'outbox-relay', schema });

  let stopped = false;
  let running: Promise<void> | null = null;
  let rerun = false;
  let healthy = true;
  let failures = 0;
  let listener: pg.Client | null = null;
  const idleWaiters: Array<() => void> = [];

  // The relay's own session (not the service's pools): it holds the relay lock while it publishes.
  // SQL is plain text without parameters (only constants and seq numbers read from the table).
  let connection: pg.Client | null = null;
  let holdsLock = false;
  /** Seqs published by the last batch, deleted with the next read. */
  let published: number[] = [];

  const connect = async (): Promise<pg.Client> => {
    if (connection) return connection;
    const client = new pg.Client({ connectionString: options.databaseUrl });
    client.on('error', (error) => {
      log.warn({ err: error }, 'outbox relay connection failed');
      if (connection === client) dropConnection();
    });
    await client.connect();
    connection = client;
    return client;
  };
  /** Forgets the session: its lock is gone with it, and what it published may be published again. */
  const dropConnection = (): void => {
    const client = connection;
    connection = null;
    holdsLock = false;
    published = [];
    client?.end().catch(() => undefined);
  };

  /** A query on the relay's session; if it fails, the session is dropped (and with it the lock). */
  const sessionQuery = async <Row extends pg.QueryResultRow>(sql: string): Promise<Row[]> => {
    try {
      const client = await connect();
      const results = (await client.query(sql)) as pg.QueryResult<Row> | pg.QueryResult<Row>[];
      // Several statements give one result each; the rows are the last one's.
      return (Array.isArray(results) ? results[results.length - 1] : results)?.rows ?? [];
    } catch (error) {
      dropConnection();
      throw error;
    }
  };

  const readSql = `select seq, topic, message_key, payload, headers from ${table} order by seq limit ${batchSize}`;

  /** Publishes up to one batch; -1 when another instance holds the relay lock. */
  const publishBatch = async (): Promise<number> => {
    if (!holdsLock) {
      const [lock] = await sessionQuery<{ ok: boolean }>(`select pg_try_advisory_lock(${lockKey}) as ok`);
      if (lock?.ok !== true) return -1;
      holdsLock = true;
      published = [];
      log.info('outbox relay took the relay lock: this instance publishes');
    }
    const deletePublished =
      published.length > 0 ? `delete from ${table} where seq = any('{${published.join(',')}}'); ` : '';
    const rows = await sessionQuery<OutboxRow>(`${deletePublished}${readSql}`);
    published = [];
    if (rows.length === 0) return 0;
    const byTopic = new Map<string, OutboxRow[]>();
    for (const row of rows) {
      const topicRows = byTopic.get(row.topic);
      if (topicRows) topicRows.push(row);
      else byTopic.set(row.topic, [row]);
    }
    // If the broker refuses, the rows stay in the table and the next attempt reads them again.
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, topicRows]) => ({
        topic,
        messages: topicRows.map((r) => ({ key: r.message_key, value: r.payload, headers: r.headers })),
      })),
    });
    published = rows.map(seqOf);
    return rows.length;
  };

  let drainRequested = false;
  const runUntilEmpty = async (): Promise<void> => {
    do {
      rerun = false;
      for (;;) {
        if (stopped) return;
        let count: number;
        try {
          count = await publishBatch();
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
        if (count === -1) break; // another instance publishes
        if (count === batchSize) continue;
        // A drain waits for a read that found nothing (which also deleted the last batch).
        if (count > 0 && drainRequested) continue;
        if (count === 0) drainRequested = false;
        break;
      }
    } while (rerun && !stopped);
    if (!drainRequested || !holdsLock) {
      drainRequested = false;
      for (const wake of idleWaiters.splice(0)) wake();
    }
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
    wake: kick,
    drain: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        drainRequested = true;
        kick();
      }),
    stop: async () => {
      stopped = true;
      clearInterval(poller);
      await running;
      const client = connection;
      if (client && holdsLock && published.length > 0) {
        await client
          .query(`delete from ${table} where seq = any('{${published.join(',')}}')`)
          .catch((error: unknown) =>
            log.warn({ err: error }, 'could not delete the last published batch; it will be published again'),
          );
      }
      connection = null;
      await client?.end().catch(() => undefined);
      await listener?.end().catch(() => undefined);
      for (const wake of idleWaiters.splice(0)) wake();
    },
  };
}
