/**
 * Load generation over HTTP: POST /orders through a keep-alive agent, then the order's terminal
 * event on `order-events`.
 *
 * - Open loop: sends at fixed times (i / rate); latency is measured from the *scheduled* time, so a
 *   slow answer delays neither the next send nor the clock (no coordinated omission).
 * - Closed loop: `concurrency` clients, each placing its next order when the previous one finished.
 */

import { randomUUID } from 'node:crypto';
import { localBearer } from '../../scripts/support/local-tokens.ts';
import { Http1Client } from './http1-client.ts';
import { LatencyRecorder, type LatencySummary } from './latency.ts';
import type { OrderEventsTracker, TerminalEvent } from './order-events.ts';
import { type SagaStage, sagaStages, stageDurations } from './saga-stages.ts';

export type OrderKind = 'ok' | 'decline' | 'out_of_stock';

/** What each kind of order must end as. */
const expectedOutcome: Record<OrderKind, { type: TerminalEvent['type']; reason: string | null }> = {
  ok: { type: 'OrderCompleted', reason: null },
  decline: { type: 'OrderCancelled', reason: 'payment_declined' },
  out_of_stock: { type: 'OrderCancelled', reason: 'out_of_stock' },
};

const skus = ['SKU-001', 'SKU-002', 'SKU-003', 'SKU-004', 'SKU-005', 'SKU-006', 'SKU-007', 'SKU-008'];

/**
 * The n-th order of a run. With `mixed`, 10% are declined (tok_decline) and 10% ask for more than
 * the limited SKU holds (SKU-LTD has 5; they ask 6, so stock never runs out and every one is rejected).
 * Happy orders spread over the eight large SKUs so no single stock row is the hot spot.
 */
export function orderOf(
  n: number,
  mixed: boolean,
  runId: string,
): { kind: OrderKind; body: string; customerId: string } {
  const kind: OrderKind = !mixed ? 'ok' : n % 10 === 3 ? 'decline' : n % 10 === 7 ? 'out_of_stock' : 'ok';
  const sku = kind === 'out_of_stock' ? 'SKU-LTD' : (skus[n % skus.length] ?? 'SKU-001');
  const customerId = `bench-${runId}-${n % 1000}`;
  const body = JSON.stringify({
    customerId,
    // No unit price: the catalog's is charged (a wrong expected price would cancel the order).
    items: [{ sku, quantity: kind === 'out_of_stock' ? 6 : 1 }],
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

export interface PlaceResult {
  status: number;
  orderId: string | null;
  error: string | null;
}

/**
 * POST /orders over keep-alive sockets, through the bench's own HTTP/1.1 client (http1-client.ts:
 * it costs the shared CPU less than node's http.request), each orchestrator instance in turn.
 */
export class OrderClient {
  /** Orchestrator instances, used in turn. */
  readonly #targets: readonly Http1Client[];
  #next = 0;

  readonly #idempotencyKeys: boolean;
  /** `Bearer <customer token>` per customer id, signed once (the services' secret; 24 h). */
  readonly #authorizations = new Map<string, string>();

  constructor(baseUrls: readonly string[], maxSockets: number, idempotencyKeys: boolean) {
    if (baseUrls.length === 0) throw new Error('OrderClient needs at least one orchestrator URL');
    this.#idempotencyKeys = idempotencyKeys;
    this.#targets = baseUrls.map((baseUrl) => {
      const url = new URL(baseUrl);
      if (url.protocol !== 'http:') throw new Error(`OrderClient speaks plain HTTP only, got ${baseUrl}`);
      return new Http1Client({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port || 80),
        maxSockets,
        timeoutMs: 30_000,
      });
    });
  }

  /** POSTs `body` with a token of `customerId`, the body's customer. */
  place(body: string, customerId: string): Promise<PlaceResult> {
    const target = this.#targets[this.#next % this.#targets.length] as Http1Client;
    this.#next += 1;
    let authorization = this.#authorizations.get(customerId);
    if (authorization === undefined) {
      authorization = localBearer('customer', customerId, 24 * 3_600);
      this.#authorizations.set(customerId, authorization);
    }
    const headers: Record<string, string> = this.#idempotencyKeys
      ? { 'Content-Type': 'application/json', Authorization: authorization, 'Idempotency-Key': randomUUID() }
      : { 'Content-Type': 'application/json', Authorization: authorization };
    return target.request('POST', '/orders', headers, body).then(
      ({ status, body: text }): PlaceResult => {
        if (status !== 202) return { status, orderId: null, error: `HTTP ${status}: ${text.slice(0, 200)}` };
        try {
          return { status, orderId: (JSON.parse(text) as { orderId: string }).orderId, error: null };
        } catch (error) {
          return { status, orderId: null, error: `unparsable 202 body: ${(error as Error).message}` };
        }
      },
      (error: Error): PlaceResult => ({ status: 0, orderId: null, error: error.message }),
    );
  }

  close(): void {
    for (const target of this.#targets) target.close();
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
  /** Orders refused with 429 (admission control: MAX_SAGAS_IN_FLIGHT reached); not errors. */
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
  /** POST → the relay produced the terminal event (record timestamp): without the bench's own fetch. */
  producedLatencyMs: LatencySummary | null;
  /** POST → 202 answer. */
  httpLatencyMs: LatencySummary | null;
  /** Where the time of sagas completed on the happy path went, stage by stage (support/saga-stages.ts). */
  stageLatencyMs: Record<SagaStage, LatencySummary | null>;
  /** p50 of the first and the last tenth of the sagas (by send order): a growing backlog shows here. */
  latencyTrendMs: { firstTenthP50: number | null; lastTenthP50: number | null };
  /** performance.now() bounds of the measured window and epoch ms of its start. */
  window: { startMs: number; endMs: number; startEpochMs: number };
}

class PointRecorder {
  readonly latency = new LatencyRecorder();
  readonly produced = new LatencyRecorder();
  readonly httpLatency = new LatencyRecorder();
  readonly stages = Object.fromEntries(sagaStages.map((stage) => [stage, new LatencyRecorder()])) as Record<
    SagaStage,
    LatencyRecorder
  >;
  /** latency by send index, for the trend. */
  readonly bySend: Array<number | undefined> = [];
  readonly outcomes: Record<string, number> = {};
  sent = 0;
  completed = 0;
  httpErrors = 0;
  refused = 0;
  unexpected = 0;
  incomplete = 0;
  lastSeen = 0;
  inWindow = 0;
  readonly samples: string[] = [];

  error(message: string): void {
    if (this.samples.length < 10) this.samples.push(message);
  }
}

/**
 * Sends one order and arranges for its terminal event to be recorded. Resolves when the saga
 * finished (or the HTTP request failed): closed-loop clients await it, the open loop does not.
 */
function sendOrder(
  n: number,
  sentAt: number,
  ctx: {
    client: OrderClient;
    tracker: OrderEventsTracker;
    rec: PointRecorder;
    mixed: boolean;
    runId: string;
    windowEnd: () => number;
    outstanding: Map<string, () => void>;
    /** Set once the drain time is over: sagas answered later count as incomplete at once. */
    drained: { over: boolean };
  },
): Promise<void> {
  const { client, tracker, rec } = ctx;
  const { kind, body, customerId } = orderOf(n, ctx.mixed, ctx.runId);
  const index = rec.sent++;
  return client.place(body, customerId).then(
    (result) =>
      new Promise<void>((done) => {
        if (result.status === 429) {
          rec.refused += 1;
          done();
          return;
        }
        rec.httpLatency.record(performance.now() - sentAt);
        if (result.orderId === null) {
          rec.httpErrors += 1;
          rec.error(result.error ?? `HTTP ${result.status}`);
          done();
          return;
        }
        const orderId = result.orderId;
        if (ctx.drained.over) {
          tracker.forget(orderId);
          rec.incomplete += 1;
          rec.error(`order ${orderId}: accepted only after the drain time`);
          done();
          return;
        }
        ctx.outstanding.set(orderId, done);
        tracker.expect(orderId, (event) => {
          ctx.outstanding.delete(orderId);
          const ms = event.seenAt - sentAt;
          rec.latency.record(ms);
          rec.produced.record(event.producedAtEpochMs - (performance.timeOrigin + sentAt));
          if (event.type === 'OrderCompleted') {
            const stages = stageDurations(
              performance.timeOrigin + sentAt,
              event.lifecycle,
              event.producedAtEpochMs,
              performance.timeOrigin + event.seenAt,
            );
            if (stages) for (const stage of sagaStages) rec.stages[stage].record(stages[stage]);
          }
          rec.bySend[index] = ms;
          rec.completed += 1;
          rec.lastSeen = Math.max(rec.lastSeen, event.seenAt);
          if (event.seenAt <= ctx.windowEnd()) rec.inWindow += 1;
          rec.outcomes[event.type] = (rec.outcomes[event.type] ?? 0) + 1;
          const expected = expectedOutcome[kind];
          if (
            event.type !== expected.type ||
            (expected.reason !== null && event.reason !== expected.reason)
          ) {
            rec.unexpected += 1;
            rec.error(
              `order ${orderId} (${kind}) ended ${event.type}${event.reason ? ` ${event.reason}` : ''}`,
            );
          }
          done();
        });
      }),
  );
}

/** Waits until every outstanding saga finished or the deadline passed; the rest count as incomplete. */
async function drain(
  outstanding: Map<string, () => void>,
  inflightSends: () => number,
  deadline: number,
  tracker: OrderEventsTracker,
  rec: PointRecorder,
  drained: { over: boolean },
): Promise<void> {
  while ((outstanding.size > 0 || inflightSends() > 0) && performance.now() < deadline) {
    await sleep(20);
  }
  drained.over = true;
  for (const [orderId, done] of outstanding) {
    tracker.forget(orderId);
    rec.incomplete += 1;
    rec.error(`order ${orderId}: no terminal event within the drain time`);
    done();
  }
  outstanding.clear();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface LoadContext {
  client: OrderClient;
  tracker: OrderEventsTracker;
  mixed: boolean;
  runId: string;
  /** Numbers orders across points, so every order of a run is distinct. */
  nextOrderNumber: () => number;
}

/** Open loop: `rate` orders per second for `durationS`, at scheduled times. */
export async function runOpenLoop(
  ctx: LoadContext,
  { rate, durationS, drainS }: { rate: number; durationS: number; drainS: number },
): Promise<LoadPointResult> {
  const rec = new PointRecorder();
  const outstanding = new Map<string, () => void>();
  const total = Math.max(1, Math.round(rate * durationS));
  const intervalMs = 1000 / rate;
  const startEpochMs = Date.now() + 20;
  const start = performance.now() + 20;
  const end = start + durationS * 1000;
  let inflightSends = 0;
  const drained = { over: false };
  const shared = { ...ctx, rec, windowEnd: () => end, outstanding, drained };
  for (let i = 0; i < total; ) {
    const now = performance.now();
    while (i < total && start + i * intervalMs <= now) {
      inflightSends += 1;
      void sendOrder(ctx.nextOrderNumber(), start + i * intervalMs, shared).finally(() => {
        inflightSends -= 1;
      });
      i += 1;
    }
    if (i < total) await sleep(Math.max(0, Math.min(5, start + i * intervalMs - performance.now())));
  }
  await drain(outstanding, () => inflightSends, end + drainS * 1000, ctx.tracker, rec, drained);
  // sends still waiting for an HTTP answer after the drain time
  while (inflightSends > 0) await sleep(20);
  return finish(rec, 'open', rate, durationS, start, end, startEpochMs);
}

/** Closed loop: `concurrency` clients for `durationS`; each places the next order when its saga ended. */
export async function runClosedLoop(
  ctx: LoadContext,
  { concurrency, durationS, drainS }: { concurrency: number; durationS: number; drainS: number },
): Promise<LoadPointResult> {
  const rec = new PointRecorder();
  const outstanding = new Map<string, () => void>();
  const startEpochMs = Date.now();
  const start = performance.now();
  const end = start + durationS * 1000;
  const drained = { over: false };
  const shared = { ...ctx, rec, windowEnd: () => end, outstanding, drained };
  const clientLoop = async () => {
    while (performance.now() < end) {
      const unansweredBefore = rec.httpErrors + rec.refused;
      await sendOrder(ctx.nextOrderNumber(), performance.now(), shared);
      // A failed or refused order: wait a little before the next one (no tight retry loop).
      if (rec.httpErrors + rec.refused > unansweredBefore) await sleep(50);
    }
  };
  const clients = Array.from({ length: concurrency }, () => clientLoop());
  const finished = Promise.all(clients);
  await Promise.race([finished, sleep(durationS * 1000 + drainS * 1000)]);
  await drain(outstanding, () => 0, end + drainS * 1000, ctx.tracker, rec, drained);
  await finished;
  return finish(rec, 'closed', concurrency, durationS, start, end, startEpochMs);
}

function finish(
  rec: PointRecorder,
  kind: 'open' | 'closed',
  target: number,
  durationS: number,
  start: number,
  end: number,
  startEpochMs: number,
): LoadPointResult {
  const elapsedS = Math.max((rec.lastSeen - start) / 1000, 1e-3);
  const tenth = Math.max(1, Math.floor(rec.bySend.length / 10));
  const p50Of = (values: Array<number | undefined>): number | null => {
    const defined = values.filter((v): v is number => v !== undefined).sort((a, b) => a - b);
    return defined.length === 0 ? null : Math.round(defined[Math.floor(defined.length / 2)] ?? 0);
  };
  const total = rec.httpErrors + rec.incomplete + rec.unexpected;
  return {
    kind,
    target,
    durationS,
    sent: rec.sent,
    completed: rec.completed,
    outcomes: rec.outcomes,
    refused: rec.refused,
    errors: {
      http: rec.httpErrors,
      incomplete: rec.incomplete,
      unexpectedOutcome: rec.unexpected,
      total,
      samples: rec.samples,
    },
    sagasPerS: rec.completed === 0 ? 0 : Math.round((10 * rec.completed) / elapsedS) / 10,
    windowSagasPerS: Math.round((10 * rec.inWindow) / durationS) / 10,
    latencyMs: rec.latency.summary(),
    producedLatencyMs: rec.produced.summary(),
    httpLatencyMs: rec.httpLatency.summary(),
    stageLatencyMs: Object.fromEntries(
      sagaStages.map((stage) => [stage, rec.stages[stage].summary()]),
    ) as Record<SagaStage, LatencySummary | null>,
    latencyTrendMs: {
      firstTenthP50: p50Of(rec.bySend.slice(0, tenth)),
      lastTenthP50: p50Of(rec.bySend.slice(-tenth)),
    },
    window: { startMs: start, endMs: end, startEpochMs },
  };
}
