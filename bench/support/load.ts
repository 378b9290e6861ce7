/**
 * Load over HTTP: POST /orders, then the order's terminal event on `order-events`.
 *
 * - Open loop: sends at fixed times (i / rate); latency counts from the *scheduled* time, so a slow
 *   answer delays neither the next send nor the clock (no coordinated omission).
 * - Closed loop: `concurrency` clients, each placing its next order when its previous saga ended.
 */
import type { PlaceOrderRequest } from '../../orchestrator/orders/order-service.ts';
import { localBearer } from '../../scripts/support/local-tokens.ts';
import { Http1Client } from './http1-client.ts';
import { LatencyRecorder, type LatencySummary } from './latency.ts';
import type { OrderEventsTracker, TerminalEvent } from './order-events.ts';
import { type SagaStage, sagaStages, stageDurations } from './saga-stages.ts';

/** What each kind of order must end as. */
const expected = {
  ok: { type: 'OrderCompleted', reason: null },
  decline: { type: 'OrderCancelled', reason: 'payment_declined' },
  out_of_stock: { type: 'OrderCancelled', reason: 'out_of_stock' },
} as const;
type OrderKind = keyof typeof expected;

/**
 * The n-th order of a run. With `mixed`, 10 % are declined (tok_decline) and 10 % ask for 6 of the
 * limited SKU, which holds 5 (so it never runs out and every one is rejected). Happy orders spread
 * over the eight large SKUs so that no single stock row is the hot spot. No unit price: the
 * catalog's is charged (a wrong expected price would cancel the order).
 */
export function orderRequest(
  n: number,
  mixed: boolean,
  runId: string,
): { kind: OrderKind; request: PlaceOrderRequest } {
  const kind: OrderKind = !mixed ? 'ok' : n % 10 === 3 ? 'decline' : n % 10 === 7 ? 'out_of_stock' : 'ok';
  const item =
    kind === 'out_of_stock' ? { sku: 'SKU-LTD', quantity: 6 } : { sku: `SKU-00${(n % 8) + 1}`, quantity: 1 };
  const address = {
    name: 'Ada Lovelace',
    line1: '1 Main St',
    city: 'Berlin',
    postalCode: '10115',
    country: 'DE',
  };
  const paymentToken = kind === 'decline' ? 'tok_decline' : 'tok_visa';
  const customerId = `bench-${runId}-${n % 1000}`;
  return {
    kind,
    request: { customerId, items: [item], currency: 'EUR', paymentToken, shippingAddress: address },
  };
}

/** POST /orders over the driver's keep-alive sockets, with a token of the order's customer. */
export class OrderClient {
  readonly #http: Http1Client;
  /** `Bearer <customer token>` per customer id, signed once (the services' secret; 24 h). */
  readonly #authorizations = new Map<string, string>();

  constructor(port: number) {
    this.#http = new Http1Client({ host: '127.0.0.1', port, maxSockets: 256, timeoutMs: 30_000 });
  }

  /** The new order's id, or why there is none. */
  async place(request: PlaceOrderRequest): Promise<{ status: number; orderId?: string; error?: string }> {
    const { customerId } = request;
    const authorization = this.#authorizations.get(customerId) ?? localBearer('customer', customerId, 86_400);
    this.#authorizations.set(customerId, authorization);
    const headers = { 'Content-Type': 'application/json', Authorization: authorization };
    try {
      const { status, body } = await this.#http.request('POST', '/orders', headers, JSON.stringify(request));
      if (status !== 202) return { status, error: `HTTP ${status}: ${body.slice(0, 200)}` };
      return { status, orderId: (JSON.parse(body) as { orderId: string }).orderId };
    } catch (error) {
      return { status: 0, error: (error as Error).message };
    }
  }

  close(): void {
    this.#http.close();
  }
}

/** One point's figures (Point.result). */
export type LoadPointResult = ReturnType<Point['result']>;

export interface LoadContext {
  client: OrderClient;
  tracker: OrderEventsTracker;
  mixed: boolean;
  runId: string;
  /** Numbers orders across points, so every order of a run is distinct. */
  nextOrderNumber: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One point's orders and what became of them. */
class Point {
  readonly latency = new LatencyRecorder();
  readonly stages = new Map(sagaStages.map((s) => [s, new LatencyRecorder()]));
  readonly outcomes: Record<string, number> = {};
  readonly samples: string[] = [];
  readonly outstanding = new Map<string, () => void>();
  readonly counts = { sent: 0, completed: 0, http: 0, refused: 0, unexpected: 0, incomplete: 0, inWindow: 0 };
  lastSeen = 0;
  /** Set once the drain time is over: sagas accepted later count as incomplete at once. */
  drained = false;
  readonly ctx: LoadContext;
  readonly start: number;
  readonly end: number;

  constructor(ctx: LoadContext, durationS: number) {
    this.ctx = ctx;
    this.start = performance.now() + 20;
    this.end = this.start + durationS * 1000;
  }

  error(message: string): void {
    if (this.samples.length < 10) this.samples.push(message);
  }

  /** Sends one order; resolves when its saga ended (or its request failed). */
  async send(sentAt: number): Promise<void> {
    const { kind, request } = orderRequest(this.ctx.nextOrderNumber(), this.ctx.mixed, this.ctx.runId);
    this.counts.sent += 1;
    const { status, orderId, error } = await this.ctx.client.place(request);
    if (status === 429) this.counts.refused += 1;
    else if (orderId === undefined) {
      this.counts.http += 1;
      this.error(error ?? `HTTP ${status}`);
    } else if (this.drained) this.#incomplete(orderId, 'accepted only after the drain time');
    else
      await new Promise<void>((done) => {
        this.outstanding.set(orderId, done);
        this.ctx.tracker.expect(orderId, (event) => {
          this.outstanding.delete(orderId);
          this.#record(orderId, kind, sentAt, event);
          done();
        });
      });
  }

  #incomplete(orderId: string, why: string): void {
    this.ctx.tracker.forget(orderId);
    this.counts.incomplete += 1;
    this.error(`order ${orderId}: ${why}`);
  }

  #record(orderId: string, kind: OrderKind, sentAt: number, event: TerminalEvent): void {
    this.latency.record(event.seenAt - sentAt);
    const at = (ms: number) => performance.timeOrigin + ms;
    const stages = stageDurations(at(sentAt), event.lifecycle, event.producedAtEpochMs, at(event.seenAt));
    if (event.type === 'OrderCompleted' && stages)
      for (const [stage, recorder] of this.stages) recorder.record(stages[stage]);
    this.counts.completed += 1;
    if (event.seenAt <= this.end) this.counts.inWindow += 1;
    this.lastSeen = Math.max(this.lastSeen, event.seenAt);
    this.outcomes[event.type] = (this.outcomes[event.type] ?? 0) + 1;
    const { type, reason } = expected[kind];
    if (event.type !== type || (reason !== null && event.reason !== reason)) {
      this.counts.unexpected += 1;
      this.error(`order ${orderId} (${kind}) ended ${event.type}${event.reason ? ` ${event.reason}` : ''}`);
    }
  }

  /** Waits until every outstanding saga ended or the drain time passed; the rest count as incomplete. */
  async drain(drainS: number, sending: () => boolean): Promise<void> {
    while ((this.outstanding.size > 0 || sending()) && performance.now() < this.end + drainS * 1000)
      await sleep(20);
    this.drained = true;
    for (const [orderId, done] of this.outstanding) {
      this.#incomplete(orderId, 'no terminal event within the drain time');
      done();
    }
    this.outstanding.clear();
  }

  result(kind: 'open' | 'closed', target: number, durationS: number) {
    const { sent, completed, http, refused, incomplete, unexpected, inWindow } = this.counts;
    const elapsedS = Math.max((this.lastSeen - this.start) / 1000, 1e-3);
    const stages = [...this.stages].map(([s, r]) => [s, r.summary()]);
    return {
      kind,
      /** Offered rate (open) or concurrency (closed). */
      target,
      durationS,
      sent,
      completed,
      /** Terminal events by type; orders refused with 429 (admission control), which are no errors. */
      outcomes: this.outcomes,
      refused,
      /** Failed requests and other answers; sagas unfinished after the drain; wrong outcomes. */
      errors: {
        http,
        incomplete,
        unexpectedOutcome: unexpected,
        total: http + incomplete + unexpected,
        samples: this.samples,
      },
      /** Completed sagas per second (first send → last terminal event), and within the window. */
      sagasPerS: completed === 0 ? 0 : Math.round((10 * completed) / elapsedS) / 10,
      windowSagasPerS: Math.round((10 * inWindow) / durationS) / 10,
      /** POST (its scheduled time in the open loop) → terminal event seen by the bench. */
      latencyMs: this.latency.summary(),
      /** Where happy sagas' time went, stage by stage (support/saga-stages.ts). */
      stageLatencyMs: Object.fromEntries(stages) as Record<SagaStage, LatencySummary | null>,
    };
  }
}

/** Open loop: `rate` orders per second for `durationS`, at scheduled times. */
export async function runOpenLoop(
  ctx: LoadContext,
  { rate, durationS, drainS }: { rate: number; durationS: number; drainS: number },
): Promise<LoadPointResult> {
  const point = new Point(ctx, durationS);
  const at = (i: number) => point.start + (i * 1000) / rate;
  const total = Math.max(1, Math.round(rate * durationS));
  let sending = 0;
  for (let i = 0; i < total; ) {
    for (; i < total && at(i) <= performance.now(); i++) {
      sending += 1;
      void point.send(at(i)).finally(() => {
        sending -= 1;
      });
    }
    if (i < total) await sleep(Math.max(0, Math.min(5, at(i) - performance.now())));
  }
  // Sends still waiting for an HTTP answer keep the drain going; they end by its deadline at most.
  await point.drain(drainS, () => sending > 0);
  while (sending > 0) await sleep(20);
  return point.result('open', rate, durationS);
}

/** Closed loop: `concurrency` clients for `durationS`; each places its next order when its saga ended. */
export async function runClosedLoop(
  ctx: LoadContext,
  { concurrency, durationS, drainS }: { concurrency: number; durationS: number; drainS: number },
): Promise<LoadPointResult> {
  const point = new Point(ctx, durationS);
  await sleep(20);
  const client = async () => {
    while (performance.now() < point.end) {
      const { http, refused } = point.counts;
      await point.send(performance.now());
      // A failed or refused order: wait a little before the next one (no tight retry loop).
      if (point.counts.http + point.counts.refused > http + refused) await sleep(50);
    }
  };
  const clients = Promise.all(Array.from({ length: concurrency }, client));
  await Promise.race([clients, sleep((durationS + drainS) * 1000)]);
  await point.drain(drainS, () => false);
  await clients;
  return point.result('closed', concurrency, durationS);
}
