import { type UnnestInsert, unnestInsert } from '../../lib/db/unnest-insert.ts';
import type { WriteBatch } from '../../lib/db/write-batch.ts';

/**
 * The rows a batch writes: the last state per order, and whether the order had no row before the
 * batch (INSERT) or had one, locked by the batch (UPDATE). New rows are plain INSERTs on purpose:
 * if another transaction created the same order's row meanwhile (two different commands for one
 * order handled concurrently, which key = order id makes a rare rebalance case), the insert fails
 * with a unique violation, the batch rolls back, and the consumer's retry decides again on the row
 * that now exists — never a blind overwrite of another transaction's decision.
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

/**
 * How a participant writes its one row per order: new rows with a plain INSERT (a concurrent insert
 * of the same order fails the batch, see RowWrites), locked rows with an upsert on order_id that
 * overwrites every other column. Both statements have constant text (unnest), so each is prepared
 * once per connection.
 */
export class OrderRowsTable<Row extends { order_id: string | null }> {
  readonly #insert: ReturnType<typeof unnestInsert<Row>>;
  readonly #upsert: ReturnType<typeof unnestInsert<Row>>;

  constructor(spec: Omit<UnnestInsert<Row>, 'onConflict'>) {
    this.#insert = unnestInsert(spec);
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

  /** New rows (a plain INSERT: a row that exists already fails the statement). */
  insert(writes: WriteBatch, rows: readonly Row[]): void {
    if (rows.length > 0) writes.add(this.#insert.sql, this.#insert.bind(rows));
  }

  /** Rows this transaction locked (an upsert on order_id that overwrites every other column). */
  upsert(writes: WriteBatch, rows: readonly Row[]): void {
    if (rows.length > 0) writes.add(this.#upsert.sql, this.#upsert.bind(rows));
  }
}
