import type { Producer } from 'kafkajs';
import type { Knex } from 'knex';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import { outboxChannelOf } from './outbox.ts';

export interface OutboxRelayOptions {
  db: Knex;
  databaseUrl: string;
  schema: string;
  producer: Producer;
  logger: Logger;
  batchSize?: number;
  /** Fallback poll when no notification arrives (missed NOTIFY, LISTEN connection down). */
  pollIntervalMs?: number;
}

export interface OutboxRelay {
  /** Resolves once the outbox was seen empty (used by tests and graceful shutdown). */
  drain(): Promise<void>;
  stop(): Promise<void>;
  readonly healthy: boolean;
}

interface OutboxRow {
  seq: number;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/** Stable 32-bit advisory-lock key per schema: one relay of a service publishes at a time. */
const lockKeyOf = (schema: string): number => {
  let hash = 0;
  for (const ch of `outbox-relay:${schema}`) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) | 0;
  return hash;
};

/**
 * Publishes outbox rows to Kafka in batches, in `seq` order, and deletes them once the broker
 * acknowledged them (idempotent producer, acks=all). Woken by LISTEN/NOTIFY, with a slow poll as a
 * safety net. A transaction-scoped advisory lock makes any number of instances safe: one publishes,
 * the others skip, so per-key order is kept. If Kafka is down the rows stay and are retried.
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, schema, producer, logger } = options;
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

  const publishBatch = (): Promise<number> =>
    db.transaction(async (trx) => {
      const lock = await trx.raw<{ rows: Array<{ ok: boolean }> }>(
        'select pg_try_advisory_xact_lock(?) as ok',
        [lockKey],
      );
      if (lock.rows[0]?.ok !== true) return -1;
      const rows: OutboxRow[] = await trx(table)
        .select('seq', 'topic', 'message_key', 'payload', 'headers')
        .orderBy('seq')
        .limit(batchSize);
      if (rows.length === 0) return 0;
      const byTopic = new Map<string, OutboxRow[]>();
      for (const row of rows) byTopic.set(row.topic, [...(byTopic.get(row.topic) ?? []), row]);
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, topicRows]) => ({
          topic,
          messages: topicRows.map((r) => ({ key: r.message_key, value: r.payload, headers: r.headers })),
        })),
      });
      await trx.raw(`delete from ${table} where seq = any(?::bigint[])`, [rows.map((r) => r.seq)]);
      return rows.length;
    });

  const runUntilEmpty = async (): Promise<void> => {
    do {
      rerun = false;
      for (;;) {
        if (stopped) return;
        let published: number;
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
        if (published === -1) break; // another instance holds the relay lock
        if (published < batchSize) break;
      }
    } while (rerun && !stopped);
    for (const wake of idleWaiters.splice(0)) wake();
  };

  const kick = (): void => {
    if (stopped) return;
    if (running) {
      rerun = true;
      return;
    }
    running = runUntilEmpty().finally(() => {
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
    drain: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        kick();
      }),
    stop: async () => {
      stopped = true;
      clearInterval(poller);
      await running;
      await listener?.end().catch(() => undefined);
      for (const wake of idleWaiters.splice(0)) wake();
    },
  };
}
