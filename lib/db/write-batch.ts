import type { Knex } from 'knex';

/** A write statement (INSERT, UPDATE or DELETE, no RETURNING, `?` placeholders) and its bindings. */
interface Write {
  sql: string;
  bindings: readonly unknown[];
  /** Checked after the flush: the statement must have touched exactly this many rows. */
  expect?: { rows: number; error: (touched: number) => Error };
}

const batches = new WeakMap<Knex.Transaction, WriteBatch>();

/**
 * The one statement for a list of writes: write i becomes the CTE `w<i>` (`returning 1` appended),
 * and the final SELECT returns its row count as column `c<i>` and sends each NOTIFY. Placeholders
 * are left as written; the statements' bindings go in the same order.
 */
export function composeWrites(statements: readonly string[], channels: Iterable<string>): string {
  const ctes = statements.map((sql, i) => `w${i} as (${sql} returning 1)`);
  const columns = [
    ...statements.map((_, i) => `(select count(*) from w${i})::int as c${i}`),
    ...[...channels].map((channel, i) => `pg_notify('${channel}', '') as n${i}`),
  ];
  return `${ctes.length > 0 ? `with ${ctes.join(',\n')}\n` : ''}select ${columns.join(', ')}`;
}

/**
 * The writes of one transaction, sent to Postgres as ONE statement when the work is done: each write
 * becomes a data-modifying CTE, and NOTIFYs and row-count checks ride in its final SELECT. A
 * transaction that reads, decides and writes then costs BEGIN + its reads + one write + COMMIT round
 * trips, however many tables it touches.
 *
 * The writes must be independent of each other (Postgres runs the CTEs on one snapshot: a write
 * does not see another's rows). Row-count expectations fail the flush with the caller's error, so
 * the transaction rolls back.
 */
export class WriteBatch {
  readonly #writes: Write[] = [];
  readonly #channels = new Set<string>();

  /** Adds a raw write statement. */
  add(sql: string, bindings: readonly unknown[], expect?: Write['expect']): void {
    if (/\breturning\b/i.test(sql) || sql.trimEnd().endsWith(';')) {
      throw new Error(`a batched write must not end with ';' or return rows: ${sql.slice(0, 80)}`);
    }
    this.#writes.push({ sql, bindings, ...(expect ? { expect } : {}) });
  }

  /** Adds a knex insert/update/delete builder (compiled now, run with the batch). */
  addQuery(query: Knex.QueryBuilder, expect?: Write['expect']): void {
    const { sql, bindings } = query.toSQL();
    this.add(sql, bindings, expect);
  }

  /** pg_notify(channel, '') once, delivered when the transaction commits. */
  notify(channel: string): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
    this.#channels.add(channel);
  }

  get isEmpty(): boolean {
    return this.#writes.length === 0 && this.#channels.size === 0;
  }

  /** Runs every write in one statement on the transaction, then checks the row counts. */
  async flush(trx: Knex.Transaction): Promise<void> {
    if (this.isEmpty) return;
    const sql = composeWrites(
      this.#writes.map((w) => w.sql),
      this.#channels,
    );
    const bindings = this.#writes.flatMap((w) => w.bindings);
    const result = await trx.raw<{ rows: Array<Record<string, number>> }>(sql, bindings as Knex.RawBinding[]);
    const counts = result.rows[0] ?? {};
    for (const [i, write] of this.#writes.entries()) {
      const touched = counts[`c${i}`] ?? 0;
      if (write.expect && touched !== write.expect.rows) throw write.expect.error(touched);
    }
    this.#writes.length = 0;
    this.#channels.clear();
  }
}

/** The write batch of a transaction opened by `inBatchedTransaction`; anything else is a bug. */
export function writesOf(trx: Knex.Transaction): WriteBatch {
  const batch = batches.get(trx);
  if (!batch) {
    throw new Error('writes need a transaction opened with inBatchedTransaction (they would never be sent)');
  }
  return batch;
}

/**
 * A transaction whose writes are collected (writesOf(trx)) and sent in one statement after `work`
 * returns, before COMMIT. An error anywhere rolls everything back.
 */
export function inBatchedTransaction<T>(db: Knex, work: (trx: Knex.Transaction) => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    const batch = new WriteBatch();
    batches.set(trx, batch);
    const result = await work(trx);
    await batch.flush(trx);
    return result;
  });
}
