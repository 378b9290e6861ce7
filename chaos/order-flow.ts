/**
 * The orders of a run: regular orders paced over the drive period and taken by the workers, kinds
 * held back while a silent window needs it, and every placed order followed until it is terminal.
 */
import type { ChaosRun } from './chaos-run.ts';
import type { OrderDriver, PlacedOrder } from './driver.ts';
import { seconds } from './event-log.ts';
import { compensationBudgetMs, forwardBudgetMs } from './options.ts';
import { OrderFollowUp } from './order-follow-up.ts';
import { followedUpKinds, type OrderKind, orderBody, type RegularKind, totalOf } from './order-mix.ts';
import type { OrderMonitor } from './order-monitor.ts';
import { Aborted } from './run-lifetime.ts';
import { orderBodyRandom } from './run-plan.ts';

export class OrderFlow {
  /** Every order of the run, in the order it was taken. */
  readonly placed: PlacedOrder[] = [];
  readonly #run: ChaosRun;
  readonly #driver: OrderDriver;
  readonly #monitor: OrderMonitor;
  readonly #queue: Array<{ n: number; kind: RegularKind }>;
  readonly #orderTimeoutMs: number;
  readonly #followUp: OrderFollowUp;
  #taken = 0;
  readonly #held = new Set<OrderKind>();
  readonly #placingKinds = new Map<number, OrderKind>();
  readonly #kindByOrderId = new Map<string, OrderKind>();
  /** Wakes the workers waiting for a change (a window opened or closed). */
  #wakers: Array<() => void> = [];

  constructor(run: ChaosRun, driver: OrderDriver, monitor: OrderMonitor) {
    this.#run = run;
    this.#driver = driver;
    this.#monitor = monitor;
    this.#queue = run.plan.regularKinds.map((kind, i) => ({ n: i + 1, kind }));
    this.#orderTimeoutMs = 2 * (forwardBudgetMs(run.options) + compensationBudgetMs(run.options)) + 60_000;
    this.#followUp = new OrderFollowUp(run, monitor, this.#orderTimeoutMs);
  }

  /** Holds back orders of these kinds (they wait at the head of the queue) until released. */
  hold(kinds: readonly OrderKind[]): void {
    for (const kind of kinds) this.#held.add(kind);
    this.#notify();
  }

  release(kinds: readonly OrderKind[]): void {
    for (const kind of kinds) this.#held.delete(kind);
    this.#notify();
  }

  /** Whether an order of a held kind is being placed right now (its POST not answered yet). */
  placingHeld(): boolean {
    return [...this.#placingKinds.values()].some((k) => this.#held.has(k));
  }

  /** Pending orders of a held kind whose saga is in one of `states`. */
  heldPendingIn(states: ReadonlySet<string>): number {
    return [...this.#monitor.pendingStates()].filter(
      ([id, state]) => states.has(state) && this.#held.has(this.#kindByOrderId.get(id) ?? 'happy'),
    ).length;
  }

  /**
   * Takes regular orders, places each (acting on it as its kind says: order-follow-up.ts) and waits
   * until it is terminal, until the queue is empty.
   */
  async worker(): Promise<void> {
    for (;;) {
      const item = await this.#takeOrder();
      if (item === null) return;
      const order = this.newPlaced(item.n, item.kind);
      const orderId = await this.placeAndWatch(order);
      if (orderId === null) continue;
      // Cancels and carrier events (a cancel after COMPLETED makes the order pending again).
      if (followedUpKinds.has(order.kind)) await this.#followUp.after(order, orderId);
      if (!(await this.#monitor.waitTerminal(orderId, this.#orderTimeoutMs)) && !this.#run.lifetime.aborted)
        this.#run.log.say(
          `order ${orderId} (#${order.n}, ${order.kind}) still pending after ${seconds(this.#orderTimeoutMs)}; moving on`,
        );
    }
  }

  newPlaced(n: number, kind: OrderKind): PlacedOrder {
    const { options, identity } = this.#run;
    const body = orderBody(kind, n, identity.runId, orderBodyRandom(options.seed, n));
    const order: PlacedOrder = {
      n,
      kind,
      key: `chaos-${identity.runId}-${n}`,
      body,
      total: totalOf(body),
      orderIds: new Set(),
      attempts: 0,
      failures: [],
      placedAt: null,
      gaveUp: null,
    };
    this.placed.push(order);
    return order;
  }

  /** POSTs the order and follows it; its order id, or null when it could not be placed. */
  async placeAndWatch(order: PlacedOrder): Promise<string | null> {
    this.#placingKinds.set(order.n, order.kind);
    try {
      await this.#driver.place(order, this.#driver.nextInstance());
    } finally {
      this.#placingKinds.delete(order.n);
    }
    const [orderId] = order.orderIds;
    if (order.gaveUp !== null || orderId === undefined) {
      if (!this.#run.lifetime.aborted)
        this.#run.log.say(`order #${order.n} (${order.kind}) could not be placed: ${order.gaveUp}`);
      return null;
    }
    this.#kindByOrderId.set(orderId, order.kind);
    this.#monitor.watch(orderId);
    return orderId;
  }

  /**
   * The next regular order: paced (order k not before k × duration / orders after the drive started),
   * skipping kinds a silent window holds back (they wait at the head of the queue).
   */
  async #takeOrder(): Promise<{ n: number; kind: RegularKind } | null> {
    const { lifetime, clock, plan } = this.#run;
    for (;;) {
      if (lifetime.aborted) throw new Aborted();
      if (this.#queue.length === 0) return null;
      const index = this.#queue.findIndex((item) => !this.#held.has(item.kind));
      if (index < 0) {
        await this.#changed(500);
        continue;
      }
      const due = clock.startedAt + (this.#taken * plan.durationMs) / plan.regularCount;
      if (Date.now() < due) {
        await this.#changed(Math.min(500, due - Date.now()));
        continue;
      }
      this.#taken += 1;
      return this.#queue.splice(index, 1)[0] ?? null;
    }
  }

  #notify(): void {
    const list = this.#wakers;
    this.#wakers = [];
    for (const wake of list) wake();
  }

  /** Resolves after `ms`, or earlier when a window opens or closes. */
  #changed(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wakers.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
