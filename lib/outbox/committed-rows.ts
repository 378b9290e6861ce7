import type { OutboxRow } from './outbox-batch.ts';

/**
 * What a relay knows about outbox rows beyond the table (pure bookkeeping, no I/O):
 * - the rows its own process committed and has not published yet, in commit order (the queue);
 * - the rows it published and has not deleted yet, by `seq`.
 *
 * The outbox table stays the source of truth: every queued row is also in the table, so dropping
 * the queue loses nothing (a read of the table publishes those rows), and a row published but not
 * yet deleted is at worst published once more after a crash (consumers drop the second copy).
 */
export class CommittedRows {
  #queue: OutboxRow[] = [];
  readonly #published = new Set<number>();

  /** Rows this process committed, in commit order. */
  enqueue(rows: readonly OutboxRow[]): void {
    for (const row of rows) this.#queue.push(row);
  }

  /** Queued rows waiting to be published. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Removes and returns up to `max` queued rows, in commit order, leaving out rows already published. */
  take(max: number): OutboxRow[] {
    const taken: OutboxRow[] = [];
    let i = 0;
    for (; i < this.#queue.length && taken.length < max; i += 1) {
      const row = this.#queue[i] as OutboxRow;
      if (!this.#published.has(row.seq)) taken.push(row);
    }
    this.#queue.splice(0, i);
    return taken;
  }

  /** Forgets the queue: its rows will be read back from the table. */
  dropQueued(): void {
    this.#queue = [];
  }

  /** Of rows read from the table, those not published yet (order kept). */
  unpublished(rows: readonly OutboxRow[]): OutboxRow[] {
    return this.#published.size === 0 ? [...rows] : rows.filter((row) => !this.#published.has(row.seq));
  }

  /** Kafka acknowledged these rows; they wait to be deleted. */
  markPublished(rows: readonly OutboxRow[]): void {
    for (const row of rows) this.#published.add(row.seq);
  }

  /** Published rows not deleted yet: the seqs to delete. */
  toDelete(): number[] {
    return [...this.#published];
  }

  /**
   * A committed transaction deleted these published rows. Any of them still queued (a read of the
   * table published it first) leaves the queue too: nothing would tell it apart from a new row.
   */
  deleted(seqs: readonly number[]): void {
    for (const seq of seqs) this.#published.delete(seq);
    if (this.#queue.length === 0 || seqs.length === 0) return;
    const gone = new Set(seqs);
    this.#queue = this.#queue.filter((row) => !gone.has(row.seq));
  }

  get awaitingDelete(): number {
    return this.#published.size;
  }
}
