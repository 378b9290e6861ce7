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
