/**
 * Load over HTTP: POST /orders, then the order's terminal event on `order-events`.
 *
 * - Open loop: sends at fixed times (i / rate); latency counts from the *scheduled* time, so a slow
 *   answer delays neither the next send nor the clock (no coordinated omission).
 * - Closed loop: `concurrency` clients, each placing its next order when its previous saga ended.
 */
import { localBearer } from '../../scripts/support/local-tokens.ts';
import { Http1Client } from './http1-client.ts';
import { LatencyRecorder, type LatencySummary } from './latency.ts';
import type { OrderEventsTracker, TerminalEvent } from './order-events.ts';
import { type SagaStage, sagaStages, stageDurations } from './saga-stages.ts';

type OrderKind = 'ok' | 'decline' | 'out_of_stock';

/** What each kind of order must end as. */
const expectedOutcome: Record<OrderKind, { type: TerminalEvent['type']; reason: string | null }> = {
  ok: { type: 'OrderCompleted', reason: null },
  decline: { type: 'OrderCancelled', reason: 'payment_declined' },
  out_of_stock: { type: 'OrderCancelled', reason: 'out_of_stock' },
};

/**
 * The n-th order of a run. With `mixed`, 10 % are declined (tok_decline) and 10 % ask for 6 of the
 * limited SKU, which holds 5 (so it never runs out and every one is rejected). Happy orders spread
 * over the eight large SKUs so that no single stock row is the hot spot.
 */
function orderOf(n: number, mixed: boolean, runId: string) {
  const kind: OrderKind = !mixed ? 'ok' : n % 10 === 3 ? 'decline' : n % 10 === 7 ? 'out_of_stock' : 'ok';
  const customerId = `bench-${runId}-${n % 1000}`;
  const body = JSON.stringify({
    customerId,
    // No unit price: the catalog's is charged (a wrong expected price would cancel the order).
    items: [
      {
        sku: kind === 'out_of_stock' ? 'SKU-LTD' : `SKU-00${(n % 8) + 1}`,
        quantity: kind === 'out_of_stock' ? 6 : 1,
      },
    ],
    currency: 'EUR',
    paymentToken: kind === 'decline' ? 'tok_decline' : 'tok_visa',
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: '1 Main St',
      city: 'Berlin',
      postalCode: '10115',
      country: 'DE',
    },
  });
  return { kind, body, customerId };
}

/** POST /orders over the driver's keep-alive sockets, with a token of the body's customer. */
export class OrderClient {
  readonly #http: Http1Client;
  /** `Bearer <customer token>` per customer id, signed once (the services' secret; 24 h). */
  readonly #authorizations = new Map<string, string>();

  constructor(baseUrl: string) {
    const url = new URL(baseUrl);
    this.#http = new Http1Client({
      host: url.hostname,
      port: Number(url.port),
      maxSockets: 256,
      timeoutMs: 30_000,
    });
  }

  async place(
    body: string,
    customerId: string,
  ): Promise<{ status: number; orderId: string | null; error: string | null }> {
    let authorization = this.#authorizations.get(customerId);
    if (authorization === undefined) {
      authorization = localBearer('customer', customerId, 24 * 3_600);
      this.#authorizations.set(customerId, authorization);
    }
    const headers = { 'Content-Type': 'application/json', Authorization: authorization };
    try {
      const { status, body: text } = await this.#http.request('POST', '/orders', headers, body);
      if (status !== 202) return { status, orderId: null, error: `HTTP ${status}: ${text.slice(0, 200)}` };
      return { status, orderId: (JSON.parse(text) as { orderId: string }).orderId, error: null };
    } catch (error) {
      return { status: 0, orderId: null, error: (error as Error).message };
    }
  }

  close(): void {
    this.#http.close();
  }
}

export interface LoadPointResult {
  kind: 'open' | 'closed';
  /** Offered rate (open) or concurrency (closed). */
  target: number;
  durationS: number;
  sent: number;
  completed: number;
  /** Terminal events by type (OrderCompleted, OrderCancelled…). */
  outcomes: Record<string, number>;
  /** Orders refused with 429 (admission control, MAX_SAGAS_IN_FLIGHT); not errors. */
  refused: number;
  errors: {
    /** Non-202 answers other than 429, and failed requests. */
    http: number;
    /** Sagas with no terminal event within the drain time. */
    incomplete: number;
    /** A terminal event other than the order's kind must end as (e.g. a happy order cancelled). */
    unexpectedOutcome: number;
    total: number;
    samples: string[];
  };
  /** Completed sagas per second over the point (first send → last terminal event). */
  sagasPerS: number;
  /** Terminal events seen inside the measured window, per second of it. */
  windowSagasPerS: number;
  /** POST (scheduled time for open loop) → terminal event received by the bench. */
  latencyMs: LatencySummary | null;
  /** Where the time of sagas completed on the happy path went, stage by stage (support/saga-stages.ts). */
  stageLatencyMs: Record<SagaStage, LatencySummary | null>;
}

export interface LoadContext {
  client: OrderClient;
  tracker: OrderEventsTracker;
  mixed: boolean;
  runId: string;
  /** Numbers orders across points, so every order of a run is distinct. */
  nextOrderNumber: () => number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One point's sends and what became of them. */
class Point {
  readonly latency = new LatencyRecorder();
  readonly stages = Object.fromEntries(sagaStages.map((s) => [s, new LatencyRecorder()])) as Record<
    SagaStage,
    LatencyRecorder
  >;
  readonly outcomes: Record<string, number> = {};
  readonly samples: string[] = [];
  readonly outstanding = new Map<string, () => void>();
  sent = 0;
  completed = 0;
  http = 0;
  refused = 0;
  unexpected = 0;
  incomplete = 0;
  lastSeen = 0;
  inWindow = 0;
  /** Set once the drain time is over: sagas accepted later count as incomplete at once. */
  drained = false;

  readonly ctx: LoadContext;
  readonly start: number;
  readonly end: number;

  constructor(ctx: LoadContext, start: number, end: number) {
    this.ctx = ctx;
    this.start = start;
    this.end = end;
  }

  error(message: string): void {
    if (this.samples.length < 10) this.samples.push(message);
  }

  /** Sends one order; resolves when its saga ended (or its request failed). */
  async send(sentAt: number): Promise<void> {
    const { kind, body, customerId } = orderOf(this.ctx.nextOrderNumber(), this.ctx.mixed, this.ctx.runId);
    this.sent += 1;
    const { status, orderId, error } = await this.ctx.client.place(body, customerId);
    if (status === 429) this.refused += 1;
    else if (orderId === null) {
      this.http += 1;
      this.error(error ?? `HTTP ${status}`);
    } else if (this.drained) {
      this.ctx.tracker.forget(orderId);
      this.incomplete += 1;
      this.error(`order ${orderId}: accepted only after the drain time`);
    } else {
      await new Promise<void>((done) => {
        this.outstanding.set(orderId, done);
        this.ctx.tracker.expect(orderId, (event) => {
          this.outstanding.delete(orderId);
          this.#record(orderId, kind, sentAt, event);
          done();
        });
      });
    }
  }

  #record(orderId: string, kind: OrderKind, sentAt: number, event: TerminalEvent): void {
    this.latency.record(event.seenAt - sentAt);
    const at = (ms: number) => performance.timeOrigin + ms;
    const stages = stageDurations(at(sentAt), event.lifecycle, event.producedAtEpochMs, at(event.seenAt));
    if (event.type === 'OrderCompleted' && stages)
      for (const s of sagaStages) this.stages[s].record(stages[s]);
    this.completed += 1;
    this.lastSeen = Math.max(this.lastSeen, event.seenAt);
    if (event.seenAt <= this.end) this.inWindow += 1;
    this.outcomes[event.type] = (this.outcomes[event.type] ?? 0) + 1;
    const expected = expectedOutcome[kind];
    if (event.type !== expected.type || (expected.reason !== null && event.reason !== expected.reason)) {
      this.unexpected += 1;
      this.error(`order ${orderId} (${kind}) ended ${event.type}${event.reason ? ` ${event.reason}` : ''}`);
    }
  }

  /** Waits until every outstanding saga ended or the drain time passed; the rest count as incomplete. */
  async drain(drainS: number, sending: () => boolean): Promise<void> {
    const deadline = this.end + drainS * 1000;
    while ((this.outstanding.size > 0 || sending()) && performance.now() < deadline) await sleep(20);
    this.drained = true;
    for (const [orderId, done] of this.outstanding) {
      this.ctx.tracker.forget(orderId);
      this.incomplete += 1;
      this.error(`order ${orderId}: no terminal event within the drain time`);
      done();
    }
    this.outstanding.clear();
  }

  result(kind: 'open' | 'closed', target: number, durationS: number): LoadPointResult {
    const elapsedS = Math.max((this.lastSeen - this.start) / 1000, 1e-3);
    return {
      kind,
      target,
      durationS,
      sent: this.sent,
      completed: this.completed,
      outcomes: this.outcomes,
      refused: this.refused,
      errors: {
        http: this.http,
        incomplete: this.incomplete,
        unexpectedOutcome: this.unexpected,
        total: this.http + this.incomplete + this.unexpected,
        samples: this.samples,
      },
      sagasPerS: this.completed === 0 ? 0 : Math.round((10 * this.completed) / elapsedS) / 10,
      windowSagasPerS: Math.round((10 * this.inWindow) / durationS) / 10,
      latencyMs: this.latency.summary(),
      stageLatencyMs: Object.fromEntries(sagaStages.map((s) => [s, this.stages[s].summary()])) as Record<
        SagaStage,
        LatencySummary | null
      >,
    };
  }
}

/** Open loop: `rate` orders per second for `durationS`, at scheduled times. */
export async function runOpenLoop(
  ctx: LoadContext,
  { rate, durationS, drainS }: { rate: number; durationS: number; drainS: number },
): Promise<LoadPointResult> {
  const start = performance.now() + 20;
  const point = new Point(ctx, start, start + durationS * 1000);
  const total = Math.max(1, Math.round(rate * durationS));
  let sending = 0;
  for (let i = 0; i < total; ) {
    for (; i < total && start + (i * 1000) / rate <= performance.now(); i++) {
      sending += 1;
      void point.send(start + (i * 1000) / rate).finally(() => {
        sending -= 1;
      });
    }
    if (i < total) await sleep(Math.max(0, Math.min(5, start + (i * 1000) / rate - performance.now())));
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
  const point = new Point(ctx, performance.now(), performance.now() + durationS * 1000);
  const client = async () => {
    while (performance.now() < point.end) {
      const unanswered = point.http + point.refused;
      await point.send(performance.now());
      // A failed or refused order: wait a little before the next one (no tight retry loop).
      if (point.http + point.refused > unanswered) await sleep(50);
    }
  };
  const clients = Promise.all(Array.from({ length: concurrency }, client));
  await Promise.race([clients, sleep((durationS + drainS) * 1000)]);
  await point.drain(drainS, () => false);
  await clients;
  return point.result('closed', concurrency, durationS);
}
