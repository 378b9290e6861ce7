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
  #queue: Array<Pending<T, R>> = [];
  #inFlight = 0;

  constructor({ commit, maxBatch = 100, maxConcurrent = 2 }: GroupCommitOptions<T, R>) {
    this.#commit = commit;
    this.#maxBatch = maxBatch;
    this.#maxConcurrent = maxConcurrent;
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#pump();
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
