import { type NativeQuery, nativeOf } from './query-builder.ts';

/** A write statement (INSERT, UPDATE or DELETE, no RETURNING, `?` placeholders), or a checked SELECT, and its bindings. */
interface Write {
  sql: string;
  bindings: readonly unknown[];
  /** Checked inside the statement: it must have touched exactly this many rows. */
  expect?: { rows: number; error: (touched: number) => Error };
  /** A column of the written rows handed back, in ascending order, once the transaction committed. */
  returning?: { column: string; receive: (values: readonly string[]) => void };
  /** A SELECT whose row count is checked (addCheck), not a write. */
  check?: true;
}

/** One write as composeWrites sees it. */
export interface ComposedWrite {
  sql: string;
  guarded: boolean;
  /** Also return this column of the written rows, as a sorted array in column `r<i>`. */
  returning?: string;
  /** A SELECT (addCheck): its CTE gets no `returning`. */
  check?: boolean;
}

/** SQLSTATE raised by public.write_batch_expect (migration 20261201_007) when a guard fails. */
const guardFailed = 'WB001';

/**
 * The one statement for a list of writes: write i becomes the CTE `w<i>` (`returning 1` appended),
 * and the final SELECT returns its row count as column `c<i>` (checked by write_batch_expect where
 * the write has an expectation, which aborts the statement), the values of a returned column as the
 * sorted array `r<i>`, and sends each NOTIFY. Placeholders are
 * left as written; the statements' bindings go in the same order, then one binding per guard, the
 * rows it expects. The text depends only on which writes there are, never on how many rows they
 * carry, so one prepared statement serves every batch of the same writes.
 */
export function composeWrites(statements: readonly ComposedWrite[], channels: Iterable<string>): string {
  const ctes = statements.map(({ sql, returning, check }, i) =>
    check ? `w${i} as (${sql})` : `w${i} as (${sql} returning ${returning ?? 1})`,
  );
  const columns = [
    ...statements.map(({ guarded }, i) =>
      guarded
        ? `public.write_batch_expect(${i}, (select count(*) from w${i}), ?::bigint)::int as c${i}`
        : `(select count(*) from w${i})::int as c${i}`,
    ),
    ...statements.flatMap(({ returning }, i) =>
      returning === undefined
        ? []
        : [`(select array_agg(${returning} order by ${returning}) from w${i})::text[] as r${i}`],
    ),
    ...[...channels].map((channel, i) => `pg_notify('${channel}', '') as n${i}`),
  ];
  return `${ctes.length > 0 ? `with ${ctes.join(',\n')}\n` : ''}select ${columns.join(', ')}`;
}

/**
 * The writes of one unit of work, sent to Postgres as ONE statement when the work is done: each
 * write becomes a data-modifying CTE, and NOTIFYs and row-count guards ride in its final SELECT. The
 * guards run on the server, so a failed one aborts the statement (and the transaction around it).
 *
 * The writes must be independent of each other (Postgres runs the CTEs on one snapshot: a write
 * does not see another's rows).
 */
export class WriteBatch {
  readonly #writes: Write[] = [];
  readonly #channels = new Set<string>();

  /** Adds a raw write statement. */
  add(sql: string, bindings: readonly unknown[], expect?: Write['expect']): void {
    if (/\breturning\b/i.test(sql) || sql.trimEnd().endsWith(';')) {
      throw new Error(`a batched write must not end with ';' or return rows: ${sql.slice(0, 80)}`);
    }
    if (expect && (!Number.isSafeInteger(expect.rows) || expect.rows < 0)) {
      throw new Error(`expected row count must be a non-negative integer, got ${expect.rows}`);
    }
    this.#writes.push({ sql, bindings, ...(expect ? { expect } : {}) });
  }

  /**
   * Adds a write whose rows' `column` (e.g. a generated key) the caller needs: `receive` gets the
   * values, in ascending order and as text, once the transaction has committed (never if it did not).
   */
  addReturning(
    sql: string,
    bindings: readonly unknown[],
    column: string,
    receive: (values: readonly string[]) => void,
  ): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(column)) throw new Error(`not a plain column name: ${column}`);
    this.add(sql, bindings);
    const write = this.#writes.at(-1);
    if (write) write.returning = { column, receive };
  }

  /**
   * Adds a SELECT that must find exactly `expect.rows` rows when the writes run (same snapshot as
   * the writes), e.g. that rows the work decided on without reading them are still as it assumed.
   */
  addCheck(sql: string, bindings: readonly unknown[], expect: NonNullable<Write['expect']>): void {
    if (!/^\s*select\b/i.test(sql)) throw new Error(`a batched check must be a SELECT: ${sql.slice(0, 80)}`);
    this.add(sql, bindings, expect);
    const write = this.#writes.at(-1);
    if (write) write.check = true;
  }

  /** pg_notify(channel, '') once, delivered when the transaction commits. */
  notify(channel: string): void {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`not a plain channel name: ${channel}`);
    this.#channels.add(channel);
  }

  get isEmpty(): boolean {
    return this.#writes.length === 0 && this.#channels.size === 0;
  }

  /** The whole batch as one statement, or null when there is nothing to write. */
  toStatement(): NativeQuery | null {
    if (this.isEmpty) return null;
    const sql = composeWrites(
      this.#writes.map((w) => ({
        sql: w.sql,
        guarded: w.expect !== undefined,
        ...(w.returning ? { returning: w.returning.column } : {}),
        ...(w.check ? { check: true } : {}),
      })),
      this.#channels,
    );
    return nativeOf(sql, [
      ...this.#writes.flatMap((w) => w.bindings),
      ...this.#writes.flatMap((w) => (w.expect ? [w.expect.rows] : [])),
    ]);
  }

  /**
   * Hands each returning write its values from the statement's result row: call once the
   * transaction committed. A missing or malformed column is an error (the statement is ours).
   */
  deliver(row: Record<string, unknown> | undefined): void {
    for (const [i, write] of this.#writes.entries()) {
      if (!write.returning) continue;
      const values = row?.[`r${i}`] ?? []; // array_agg over no rows is NULL
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))
        throw new TypeError(`write ${i}: column r${i} of the write statement is not a text array`);
      write.returning.receive(values as string[]);
    }
  }

  /**
   * The error to report for a failure of this batch's statement: a failed row-count guard becomes
   * the error its write asked for; anything else is returned as it is.
   */
  explain(error: unknown): unknown {
    const { code, detail } = (error ?? {}) as { code?: unknown; detail?: unknown };
    if (code !== guardFailed || typeof detail !== 'string') return error;
    const [index, touched] = detail.split(',').map(Number);
    const write = this.#writes[index ?? -1];
    if (!write?.expect || touched === undefined || !Number.isInteger(touched)) return error;
    return write.expect.error(touched);
  }
}
