/**
 * Group commit: callers submit one item each; items that arrive while earlier work is in flight are
 * committed together by one `commit(items)` call (one database transaction). An idle system commits
 * each item at once (no added latency); under load, transactions grow with the queue, so per-item
 * round trips to the database disappear. If a shared commit fails, its items are retried one by
 * one, so one bad item fails only its own caller.
 */
export interface GroupCommitOptions<T, R> {
  /** Commits the items in one transaction and returns one result per item, in order. */
  commit(items: readonly T[]): Promise<R[]>;
  maxBatch?: number;
  /** Commits in flight at once (each holds a pooled connection). */
  maxConcurrent?: number;
  /**
   * Wait one turn of the event loop (setImmediate) before starting a commit from idle, so that
   * items submitted by work that became runnable together (the partition batches of one Kafka fetch)
   * share the first transaction instead of the first item going alone. Off by default.
   */
  gatherSameTick?: boolean;
}

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

export class GroupCommit<T, R> {
  readonly #commit: (items: readonly T[]) => Promise<R[]>;
  readonly #maxBatch: number;
  readonly #maxConcurrent: number;
  readonly #gatherSameTick: boolean;
  #gathering = false;
  #queue: Array<Pending<T, R>> = [];
  #inFlight = 0;

  constructor({
    commit,
    maxBatch = 100,
    maxConcurrent = 2,
    gatherSameTick = false,
  }: GroupCommitOptions<T, R>) {
    this.#commit = commit;
    this.#maxBatch = maxBatch;
    this.#maxConcurrent = maxConcurrent;
    this.#gatherSameTick = gatherSameTick;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#gatherSameTick || this.#inFlight > 0) {
        this.#pump();
        return;
      }
      if (this.#gathering) return;
      this.#gathering = true;
      setImmediate(() => {
        this.#gathering = false;
        this.#pump();
      });
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#maxConcurrent && this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      this.#inFlight += 1;
      void this.#run(batch).finally(() => {
        this.#inFlight -= 1;
        this.#pump();
      });
    }
  }

  async #run(batch: Array<Pending<T, R>>): Promise<void> {
    try {
      const results = await this.#commit(batch.map((p) => p.item));
      for (const [i, p] of batch.entries()) p.resolve(results[i] as R);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      await Promise.all(
        batch.map((p) =>
          this.#commit([p.item]).then(
            (results) => p.resolve(results[0] as R),
            (itemError: unknown) => p.reject(itemError),
          ),
        ),
      );
    }
  }
}
