import { isInFlight } from './in-flight-counter.ts';
import type { LoadedSaga } from './saga-store.ts';

/** Sagas remembered by default (in flight, most recently written first kept); about 1 KiB each. */
export const DEFAULT_SAGA_CACHE_SIZE = 10_000;

/**
 * The sagas this orchestrator process last committed or read, by order id, so that a reply to a
 * saga it just wrote needs no read: its transaction becomes one write statement, guarded by the
 * saga's version (saga-store.ts). An entry is only a guess — another instance, or an operator, may
 * have written the saga since — and the guard turns a wrong guess into a retry with a locking read.
 *
 * Entries are set only after their transaction committed, never replaced by an older version, and
 * dropped once the saga ended (late replies read it) or when the cache is full (least recently
 * used first).
 */
export class SagaCache {
  readonly #entries = new Map<string, LoadedSaga>();
  readonly #capacity: number;

  constructor(capacity = DEFAULT_SAGA_CACHE_SIZE) {
    if (!Number.isSafeInteger(capacity) || capacity < 0)
      throw new Error(`saga cache capacity must be a non-negative integer, got ${capacity}`);
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(orderId: string): LoadedSaga | undefined {
    const saga = this.#entries.get(orderId);
    if (saga === undefined) return undefined;
    this.#entries.delete(orderId);
    this.#entries.set(orderId, saga);
    return saga;
  }

  /** Remembers a committed saga; an ended one, or one older than the entry held, is not kept. */
  remember(orderId: string, saga: LoadedSaga): void {
    const held = this.#entries.get(orderId);
    if (held !== undefined && held.version > saga.version) return;
    this.#entries.delete(orderId);
    if (!isInFlight(saga.status) || this.#capacity === 0) return;
    this.#entries.set(orderId, saga);
    if (this.#entries.size > this.#capacity) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  forget(orderIds: Iterable<string>): void {
    for (const orderId of orderIds) this.#entries.delete(orderId);
  }
}
