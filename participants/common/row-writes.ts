import { OptimisticWriteFailedError } from '../../lib/db/unit-of-work.ts';
import { type UnnestInsert, unnestInsert } from '../../lib/db/unnest-insert.ts';
import type { WriteBatch } from '../../lib/db/write-batch.ts';

/**
 * The rows a batch writes: the last state per order, and whether the order had no row before the
 * batch (INSERT) or had one, locked by the batch (UPDATE). New rows never overwrite: if the order
 * has a row after all — another transaction created it meanwhile (two commands for one order
 * handled concurrently, a rare rebalance case), or the batch assumed without reading that a forward
 * command's order had none (see CommandBatchSpec.newOrders) — the insert skips it, its row-count
 * guard fails the batch with ExistingOrderRowsError, and the unit of work runs again, deciding on
 * the row that now exists.
 */
export class RowWrites<T> {
  readonly #rows = new Map<string, { row: T; insert: boolean }>();

  /** `created`: the decision saw no row for this order and created one. */
  set(orderId: string, row: T, created: boolean): void {
    const previous = this.#rows.get(orderId);
    this.#rows.set(orderId, { row, insert: previous?.insert ?? created });
  }

  get inserts(): T[] {
    return [...this.#rows.values()].filter((w) => w.insert).map((w) => w.row);
  }

  get updates(): T[] {
    return [...this.#rows.values()].filter((w) => !w.insert).map((w) => w.row);
  }
}

/** New rows of a batch were found to exist already (see RowWrites): the unit of work runs again. */
export class ExistingOrderRowsError extends OptimisticWriteFailedError {
  constructor(table: string, expected: number, inserted: number) {
    super(`${table}: ${expected - inserted} of ${expected} orders taken as new have a row already`);
    this.name = 'ExistingOrderRowsError';
  }
}

/**
 * How a participant writes its one row per order: new rows with an INSERT that must insert every
 * one of them (an existing row fails the batch, see RowWrites), locked rows with an upsert on
 * order_id that overwrites every other column. Both statements have constant text (unnest), so each
 * is prepared once per connection.
 */
export class OrderRowsTable<Row extends { order_id: string | null }> {
  readonly #table: string;
  readonly #insert: ReturnType<typeof unnestInsert<Row>>;
  readonly #upsert: ReturnType<typeof unnestInsert<Row>>;

  constructor(spec: Omit<UnnestInsert<Row>, 'onConflict'>) {
    this.#table = spec.table;
    this.#insert = unnestInsert({ ...spec, onConflict: { target: 'order_id', update: 'nothing' } });
    const overwritten = [...Object.keys(spec.columns), ...Object.keys(spec.computed ?? {})].filter(
      (column) => column !== 'order_id',
    );
    this.#upsert = unnestInsert({ ...spec, onConflict: { target: 'order_id', update: overwritten } });
  }

  /** Adds the batch's inserts and updates to the unit of work's write statement. */
  write<T>(writes: WriteBatch, rows: RowWrites<T>, toRow: (value: T) => Row): void {
    this.insert(writes, rows.inserts.map(toRow));
    this.upsert(writes, rows.updates.map(toRow));
  }

  /** New rows (a row that exists already fails the statement with ExistingOrderRowsError). */
  insert(writes: WriteBatch, rows: readonly Row[]): void {
    if (rows.length === 0) return;
    writes.add(this.#insert.sql, this.#insert.bind(rows), {
      rows: rows.length,
      error: (inserted) => new ExistingOrderRowsError(this.#table, rows.length, inserted),
    });
  }

  /** Rows this transaction locked (an upsert on order_id that overwrites every other column). */
  upsert(writes: WriteBatch, rows: readonly Row[]): void {
    if (rows.length > 0) writes.add(this.#upsert.sql, this.#upsert.bind(rows));
  }
}
