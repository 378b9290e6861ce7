/**
 * Places orders over HTTP on any orchestrator instance. A POST that fails because its instance was
 * killed (connection refused or reset, a 5xx, no answer in time) is sent again with the SAME
 * Idempotency-Key, to another instance first: that is what the key is for. Every order id an
 * answer named for a key is remembered; two different ids for one key is a violation.
 */
import { localBearer } from '../scripts/support/local-tokens.ts';
import type { Instance } from './cluster.ts';
import type { FollowUp, OrderBody, OrderKind } from './order-mix.ts';

export interface PlacedOrder {
  n: number;
  kind: OrderKind;
  key: string;
  body: OrderBody;
  total: number;
  /** Every distinct order id a 202 answer named for this key (exactly one expected). */
  orderIds: Set<string>;
  /** HTTP attempts (1 when the first POST was answered). */
  attempts: number;
  /** Errors of the attempts that failed, e.g. `orchestrator-1: ECONNREFUSED`. */
  failures: string[];
  placedAt: number | null;
  /** Set when the key could not be placed at all within the deadline. */
  gaveUp: string | null;
  /** Kinds the run acts on after placing (cancels, carrier events): what it did and got. */
  followUp?: FollowUp;
}

export interface DriverOptions {
  orchestrators: () => Instance[];
  /** Deadline for one order's POST, all attempts included. */
  placeTimeoutMs: number;
  signal: AbortSignal;
}

/** Resolves after `ms`, or at once when the run is aborted (the listener is removed either way). */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

const describeError = (error: unknown): string => {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.name ?? e.message ?? String(error);
};

export class OrderDriver {
  readonly #options: DriverOptions;
  #rotation = 0;
  /** POSTs that were retried at least once (an instance died under them, or answered 5xx). */
  retriedPosts = 0;

  constructor(options: DriverOptions) {
    this.#options = options;
  }

  /** POSTs the order until an instance answers 202; `first` picks the instance of the first attempt. */
  async place(order: PlacedOrder, first: number): Promise<void> {
    const deadline = Date.now() + this.#options.placeTimeoutMs;
    const instances = this.#options.orchestrators();
    let next = first % instances.length;
    for (let attempt = 1; ; attempt++) {
      if (this.#options.signal.aborted) {
        order.gaveUp = 'run aborted';
        return;
      }
      const instance = instances[next % instances.length] as Instance;
      next += 1;
      order.attempts = attempt;
      try {
        const response = await fetch(`${instance.url}/orders`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: localBearer('customer', order.body.customerId),
            'idempotency-key': order.key,
          },
          body: JSON.stringify(order.body),
          signal: AbortSignal.timeout(15_000),
        });
        const text = await response.text();
        if (response.status === 202) {
          const orderId = (JSON.parse(text) as { orderId: string }).orderId;
          order.orderIds.add(orderId);
          order.placedAt ??= Date.now();
          if (attempt > 1) this.retriedPosts += 1;
          return;
        }
        if (response.status < 500) {
          // 400/422: the body or the key is wrong, which is a bug of this tool or of the API: no retry.
          order.gaveUp = `${instance.label} answered ${response.status}: ${text.slice(0, 300)}`;
          return;
        }
        order.failures.push(`${instance.label}: HTTP ${response.status} ${text.slice(0, 120)}`);
      } catch (error) {
        order.failures.push(`${instance.label}: ${describeError(error)}`);
      }
      if (Date.now() > deadline) {
        order.gaveUp = `no 202 within ${this.#options.placeTimeoutMs} ms (${order.failures.slice(-3).join('; ')})`;
        return;
      }
      // The other instance at once; then back off while both are down.
      await sleep(
        attempt % instances.length === 0 ? Math.min(2_000, 100 * attempt) : 0,
        this.#options.signal,
      );
    }
  }

  /** Round-robin start instance for the next order. */
  nextInstance(): number {
    this.#rotation += 1;
    return this.#rotation;
  }
}
