/**
 * Follows the orders this run placed through the database (one query per poll for all of them,
 * so no load on the orchestrators' HTTP API): their status and saga state, until they are terminal.
 */
import type { Knex } from 'knex';

const terminal = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

export class OrderMonitor {
  readonly #db: Knex;
  /** Saga state of every order not terminal yet. */
  readonly #pending = new Map<string, string>();
  readonly #waiters = new Map<string, Array<() => void>>();
  #timer: NodeJS.Timeout | null = null;
  #polling: Promise<void> = Promise.resolve();
  pollErrors = 0;

  constructor(db: Knex) {
    this.#db = db;
  }

  start(intervalMs = 250): void {
    const tick = () => {
      this.#polling = this.#poll().finally(() => {
        if (this.#timer !== null) this.#timer = setTimeout(tick, intervalMs);
      });
    };
    this.#timer = setTimeout(tick, intervalMs);
  }

  async stop(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#polling;
    for (const wake of [...this.#waiters.values()].flat()) wake();
    this.#waiters.clear();
  }

  /** Starts following an order the orchestrator acknowledged (its saga starts in reservingStock). */
  watch(orderId: string): void {
    if (!this.#pending.has(orderId)) this.#pending.set(orderId, 'reservingStock');
  }

  /** Saga states of the orders still pending. */
  pendingStates(): ReadonlyMap<string, string> {
    return this.#pending;
  }

  isPending(orderId: string): boolean {
    return this.#pending.has(orderId);
  }

  /** Resolves true once the order is terminal, false after `timeoutMs` or when the monitor stops. */
  waitTerminal(orderId: string, timeoutMs: number): Promise<boolean> {
    if (!this.#pending.has(orderId)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      const list = this.#waiters.get(orderId) ?? [];
      list.push(() => {
        clearTimeout(timer);
        resolve(!this.#pending.has(orderId));
      });
      this.#waiters.set(orderId, list);
    });
  }

  async #poll(): Promise<void> {
    const ids = [...this.#pending.keys()];
    if (ids.length === 0) return;
    try {
      for (let i = 0; i < ids.length; i += 5_000) {
        const chunk = ids.slice(i, i + 5_000);
        const rows: Array<{ order_id: string; status: string; state: string }> = (
          await this.#db.raw(
            `select o.order_id, o.status, s.state
               from orders.orders o join orders.sagas s using (order_id)
              where o.order_id = any(?::uuid[])`,
            [chunk as unknown as Knex.Value],
          )
        ).rows;
        for (const row of rows) {
          if (terminal.has(row.status)) {
            this.#pending.delete(row.order_id);
            const waiters = this.#waiters.get(row.order_id) ?? [];
            this.#waiters.delete(row.order_id);
            for (const wake of waiters) wake();
          } else {
            this.#pending.set(row.order_id, row.state);
          }
        }
      }
    } catch {
      this.pollErrors += 1;
    }
  }
}
