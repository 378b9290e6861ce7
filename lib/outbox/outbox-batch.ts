import pg from 'pg';
import '../db/pg-types.ts';
import { type SessionTimeouts, sessionTimeouts } from '../db/session-timeouts.ts';
import { keyedSessionOptions } from '../db/unit-of-work.ts';
import { withOrderTraceparent } from './order-traceparent.ts';

export interface OutboxRow {
  seq: number;
  topic: string;
  message_key: string;
  payload: Buffer;
  headers: Record<string, string>;
}

/** A row of the lock-and-read statement: `ok` says whether the relay lock was taken; no row → seq null. */
type LockedRow = { ok: boolean } & ({ seq: null } | OutboxRow);

/** Stable 32-bit advisory-lock key per schema: one relay of a service publishes at a time. */
export const lockKeyOf = (schema: string): number => {
  let hash = 0;
  for (const ch of `outbox-relay:${schema}`) hash = (Math.imul(hash, 31) + ch.charCodeAt(0)) | 0;
  return hash;
};

/**
 * A relay's transactions only delete rows Kafka already acknowledged, so they commit without waiting
 * for the WAL flush: if the server crashes before that delete is on disk, the rows are published
 * once more, which consumers must accept anyway (at-least-once; the inbox drops the second copy).
 * Every state change and the outbox rows it writes stay on durable commits (the units of work).
 * The relay's next batch then no longer waits for an fsync, nor do those durable commits queue
 * behind the relay's flushes.
 */
export const relaySessionOptions = '-c synchronous_commit=off';

/** The connections a relay reads and deletes its outbox with: pipelined, prepared statements. */
export function createOutboxPool(
  databaseUrl: string,
  extra: pg.PoolConfig = {},
  timeouts: SessionTimeouts = sessionTimeouts(),
): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max: 1,
    idleTimeoutMillis: 30_000,
    ...extra,
    pipeline: true,
    options: `${keyedSessionOptions(timeouts)} ${relaySessionOptions}`,
  });
}

/**
 * A relay's statements on its pipelined connection, each prepared once per connection: taking
 * the session-level relay lock; a batch read from the table, BEGIN going out with the lock-and-read
 * (one round trip, with the deletes of rows published from memory in front of it) and the delete
 * of the published rows with COMMIT (one round trip); the delete of rows published from memory on
 * its own; a NOTIFY. The read's transaction-level lock always succeeds for the session holding the
 * relay lock and fails for any other. The outbox is read by index in `seq` order
 * (`keyedStatementsOptions`: a plan cached while the outbox was nearly empty must not scan it
 * whole once it holds a backlog).
 */
export class OutboxBatchStatements {
  readonly #read: pg.QueryConfig;
  readonly #deleteText: string;
  readonly #deleteName: string;
  readonly #lockName: string;
  readonly #lockText: string;

  constructor(schema: string, batchSize: number) {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`not a plain schema name: ${schema}`);
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      throw new Error(`batch size must be >= 1, got ${batchSize}`);
    const table = `${schema}.outbox`;
    this.#read = {
      name: `outbox_read_${schema}`,
      text: `select l.ok, o.seq, o.topic, o.message_key, o.payload, o.headers
          from (select pg_try_advisory_xact_lock(${lockKeyOf(schema)}) as ok) l
          left join lateral (
            select seq, topic, message_key, payload, headers from ${table} where l.ok order by seq limit ${batchSize}
          ) o on true`,
      values: [],
    };
    this.#deleteName = `outbox_delete_${schema}`;
    this.#lockName = `outbox_lock_${schema}`;
    this.#lockText = `select pg_try_advisory_lock(${lockKeyOf(schema)}) as ok`;
    this.#deleteText = `delete from ${table} where seq = any($1::bigint[])`;
  }

  /**
   * Takes the relay lock for this connection's session (held until it closes): true when taken, or
   * already held by this session; false while another instance holds it.
   */
  async takeSessionLock(client: pg.PoolClient): Promise<boolean> {
    const result = await client.query<{ ok: boolean }>({ name: this.#lockName, text: this.#lockText });
    return result.rows[0]?.ok === true;
  }

  /**
   * Opens a transaction, tries the relay lock and reads the oldest rows: null when another
   * instance holds the lock (the transaction is still open: end it with `commit`). Rows given in
   * `deleteFirst` (published earlier) are deleted in the same transaction, before the read, in the
   * same round trip.
   */
  async lockAndRead(client: pg.PoolClient, deleteFirst: readonly number[] = []): Promise<OutboxRow[] | null> {
    const [, , result] = await Promise.all([
      client.query('begin'),
      deleteFirst.length > 0 ? client.query(this.#delete(deleteFirst)) : null,
      client.query<LockedRow>(this.#read),
    ]);
    const rows = result.rows;
    if (rows[0]?.ok !== true) return null;
    const published: OutboxRow[] = [];
    for (const row of rows) {
      if (row.seq === null) continue;
      withOrderTraceparent(row.headers);
      published.push(row);
    }
    return published;
  }

  /** Deletes the published rows and commits, in one round trip. */
  async deleteAndCommit(client: pg.PoolClient, rows: readonly OutboxRow[]): Promise<void> {
    const [, commit] = await Promise.all([
      rows.length > 0 ? client.query(this.#delete(rows.map((row) => row.seq))) : null,
      client.query('commit'),
    ]);
    if (commit.command !== 'COMMIT')
      throw new Error(`outbox delete: the server answered COMMIT with ${commit.command}`);
  }

  /** Deletes published rows on their own (one statement, no transaction around it). */
  async deletePublished(client: pg.PoolClient, seqs: readonly number[]): Promise<void> {
    if (seqs.length > 0) await client.query(this.#delete(seqs));
  }

  /** NOTIFY on the outbox channel (for rows committed without one): the publisher reads the table. */
  async notify(client: pg.PoolClient, channel: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
    await client.query(`notify ${channel}`);
  }

  #delete(seqs: readonly number[]): pg.QueryConfig {
    for (const seq of seqs) {
      if (!Number.isSafeInteger(seq)) throw new TypeError(`outbox seq ${String(seq)} is not an integer`);
    }
    return { name: this.#deleteName, text: this.#deleteText, values: [seqs] };
  }
}
