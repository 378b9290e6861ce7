import type pg from 'pg';
import type { SessionTimeouts } from '../db/session-timeouts.ts';
import type { Logger } from '../logger.ts';
import { createOutboxPool, OutboxBatchStatements } from './outbox-batch.ts';
import { outboxChannelOf } from './outbox-channel.ts';
import type { OutboxVacuum } from './outbox-vacuum.ts';
import type { PublishRows } from './relay-publish.ts';
import type { RelayState } from './relay-state.ts';

/** What RelayTable.publishBatch returns when another instance holds the relay lock. */
export const LOCK_HELD_ELSEWHERE = -1;

export interface RelayTableOptions {
  databaseUrl: string;
  schema: string;
  batchSize: number;
  state: RelayState;
  publish: PublishRows;
  /** Told how many published rows each committed delete removed; null: no vacuums. */
  vacuum: OutboxVacuum | null;
  /** The connection's statement and lock timeouts (default: the environment's, session-timeouts.ts). */
  timeouts?: SessionTimeouts;
  logger: Logger;
}

/**
 * The relay's work on its outbox table, on its own connection (not the service's pools), kept
 * open: its session holds the relay lock. Statements prepared once (outbox-batch.ts). Takes the
 * lock and publishes a batch read from the table, deletes rows published from memory, and NOTIFYs
 * the publisher for commits that sent no NOTIFY. A failure discards the connection, and with it the
 * lock.
 */
export class RelayTable {
  readonly #state: RelayState;
  readonly #publish: PublishRows;
  readonly #vacuum: OutboxVacuum | null;
  readonly #pool: pg.Pool;
  readonly #statements: OutboxBatchStatements;
  readonly #channel: string;

  constructor(options: RelayTableOptions) {
    const { state, logger } = options;
    this.#state = state;
    this.#publish = options.publish;
    this.#vacuum = options.vacuum;
    this.#channel = outboxChannelOf(options.schema);
    this.#pool = createOutboxPool(options.databaseUrl, { idleTimeoutMillis: 0 }, options.timeouts);
    this.#pool.on('error', (error) => logger.warn({ err: error }, 'idle outbox relay connection failed'));
    this.#pool.on('remove', (client) => {
      if (client === state.owner) state.loseLock();
    });
    this.#statements = new OutboxBatchStatements(options.schema, options.batchSize);
  }

  /**
   * Publishes up to one batch read from the table, in `seq` order, and deletes it (with the rows
   * published from memory before it) in the same transaction: the rows read, or LOCK_HELD_ELSEWHERE.
   */
  publishBatch(): Promise<number> {
    return this.#onConnection(this.#publishBatchOn);
  }

  /** Deletes the rows published from memory, on their own. */
  deletePublished(): Promise<void> {
    return this.#onConnection(this.#deletePublishedOn);
  }

  /** NOTIFY on the outbox channel: the publisher (another instance) reads the table. */
  notifyPublisher(): Promise<void> {
    return this.#onConnection((client) => this.#statements.notify(client, this.#channel));
  }

  /** Closes the connection (and so lets go of the relay lock). */
  end(): Promise<void> {
    return this.#pool.end();
  }

  readonly #publishBatchOn = async (client: pg.PoolClient): Promise<number> => {
    const state = this.#state;
    const rows = state.rows;
    if (client !== state.owner) {
      if (!(await this.#statements.takeSessionLock(client))) return LOCK_HELD_ELSEWHERE;
      state.owner = client;
    }
    const stale = rows.toDelete();
    const read = await this.#statements.lockAndRead(client, stale);
    if (read === null) {
      await client.query('commit');
      return LOCK_HELD_ELSEWHERE;
    }
    const fresh = rows.unpublished(read);
    if (fresh.length > 0) await this.#publish(fresh);
    await this.#statements.deleteAndCommit(client, read);
    rows.deleted(stale);
    rows.deleted(read.map((row) => row.seq));
    this.#vacuum?.deleted(stale.length + read.length);
    return read.length;
  };

  readonly #deletePublishedOn = async (client: pg.PoolClient): Promise<void> => {
    const rows = this.#state.rows;
    const seqs = rows.toDelete();
    await this.#statements.deletePublished(client, seqs);
    rows.deleted(seqs);
    this.#vacuum?.deleted(seqs.length);
  };

  /** Runs `work` on the relay's connection; a failure discards the connection (and so the lock). */
  async #onConnection<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    try {
      const result = await work(client);
      client.release();
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      if (client === this.#state.owner) this.#state.loseLock();
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }
}
