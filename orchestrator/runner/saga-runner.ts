import type { Logger } from 'pino';
import { OptimisticWriteFailedError, type UnitOfWork } from '../../lib/db/unit-of-work.ts';
import type { Clock, IdGenerator } from '../../lib/ids.ts';
import type { SagaMetrics } from '../../lib/metrics/saga-metrics.ts';
import type { Outbox, OutgoingMessage } from '../../lib/outbox/outbox.ts';
import { pricingOf, withPricing } from '../saga/order-pricing.ts';
import type { OrderRecord } from '../saga/order-record.ts';
import { restore, type SagaSnapshot, start, step } from '../saga/order-saga.machine.ts';
import type { ParticipantEventTopics, ReplyOrigin } from '../saga/reply-check.ts';
import type { EventCause, HistoryRow } from '../saga/saga-history.ts';
import type { RetryPolicy, SagaEvent, SagaStateName } from '../saga/saga-types.ts';
import { type DeadlinePolicy, decideStart, decideStep } from '../saga/step-decision.ts';
import { countSagasInFlight, inFlightChange } from './in-flight-counter.ts';
import { ReplyGate } from './reply-gate.ts';
import type { SagaCache } from './saga-cache.ts';
import { SagaObservations } from './saga-observations.ts';
import { newSagaRows, sagaWriteOf } from './saga-rows.ts';
import {
  checkSagaVersions,
  insertHistory,
  insertOrders,
  insertSagas,
  type LoadedSaga,
  lockSagas,
  type OrderRow,
  type SagaRow,
  type SagaWrite,
  saveSagas,
} from './saga-store.ts';
import { sagasInFlightSlots } from './sagas-in-flight-slots.ts';

/** An order to create with its saga; the idempotency key and request fingerprint are stored with it. */
export interface NewSaga {
  order: OrderRecord;
  idempotencyKey: string | null;
  fingerprint: string | null;
  /** Trace context of the request that placed it (its span), for its first messages. */
  traceparent?: string | null;
}

export interface SagaEventInput {
  orderId: string;
  event: SagaEvent;
  cause: EventCause;
  /**
   * Where a participant reply came from: it moves the saga only if it answers the command of the
   * saga's current step, on that participant's events topic (orchestrator/saga/reply-check.ts).
   */
  reply?: ReplyOrigin;
  /** Trace context the messages this event causes continue (the reply's span, the sweep's…). */
  traceparent?: string | null;
}

export interface AppliedEvent {
  orderId: string;
  accepted: boolean;
  from: SagaStateName;
  to: SagaStateName;
}

export class UnknownSagaError extends Error {
  readonly orderId: string;
  constructor(orderId: string) {
    super(`no saga for order ${orderId}`);
    this.name = 'UnknownSagaError';
    this.orderId = orderId;
  }
}

/** A saga taken from the cache had been written by someone else since (see SagaCache). */
export class StaleSagaCacheError extends OptimisticWriteFailedError {
  constructor(orderIds: readonly string[]) {
    super(`cached sagas changed since this process wrote or read them: ${orderIds.join(', ')}`);
    this.name = 'StaleSagaCacheError';
  }
}

export interface ApplyOptions {
  /**
   * Take sagas from the cache where it has them, instead of reading them under a row lock: a
   * transaction whose sagas are all cached is one write statement. Their versions are checked in it.
   */
  fromCache?: boolean;
}

export interface SagaRunnerDeps {
  outbox: Outbox;
  /** Sagas this process committed or read, kept to spare replies a read (none: always read). */
  cache?: SagaCache;
  clock: Clock;
  newId: IdGenerator;
  random: () => number;
  retryPolicy: RetryPolicy;
  deadlinePolicy: DeadlinePolicy;
  /** Told once per reply that is not applied (forged, or late): order id, type and reason. */
  logger?: Pick<Logger, 'warn'>;
  /** Participants' events topics replies must come from (default: this deployment's `Topics`). */
  replyTopics?: ParticipantEventTopics;
  /** Told what each transaction did, once it committed (none: nothing is counted). */
  metrics?: SagaMetrics;
}

/**
 * Runs order sagas: restores each saga from Postgres (or from the cache of sagas this process
 * wrote), applies events with the pure machine and the step decision (orchestrator/saga/), and
 * persists snapshot, history, deadline and outbox messages in the caller's unit of work. No actor lives between messages; the row lock, or the
 * version check of a cached saga, makes concurrent instances apply one event at a time.
 */
export class SagaRunner {
  private readonly deps: SagaRunnerDeps;
  private readonly replies: ReplyGate;

  constructor(deps: SagaRunnerDeps) {
    this.deps = deps;
    this.replies = new ReplyGate({
      ...(deps.replyTopics ? { topics: deps.replyTopics } : {}),
      ...(deps.logger ? { logger: deps.logger } : {}),
    });
  }

  /** Replies not applied because they did not answer the saga's current command (reply_rejected). */
  get repliesRejected(): number {
    return this.replies.rejected;
  }

  /**
   * Inserts orders with their sagas and each saga's first effects (OrderPlaced, ReserveStock): one
   * multi-row insert per table for the whole group, added to the unit of work's write batch.
   */
  async createSagas(unit: UnitOfWork, newSagas: readonly NewSaga[]): Promise<void> {
    if (newSagas.length === 0) return;
    const now = this.deps.clock();
    const orderRows: OrderRow[] = [];
    const sagaRows: SagaRow[] = [];
    const history: HistoryRow[] = [];
    const messages: OutgoingMessage[] = [];
    const started: LoadedSaga[] = [];
    for (const { order, idempotencyKey, fingerprint, traceparent } of newSagas) {
      const first = start({
        orderId: order.orderId,
        retryPolicy: this.deps.retryPolicy,
        pricing: pricingOf(order),
      });
      const decision = decideStart(order, first, now, this.deps);
      const keys = { idempotencyKey, fingerprint };
      const rows = newSagaRows(order, first.snapshot, decision.deadlineAt, keys, now);
      started.push(rows.started);
      orderRows.push(rows.orderRow);
      sagaRows.push(rows.sagaRow);
      history.push(...decision.history);
      pushTraced(messages, decision.messages, traceparent);
    }
    unit.writes.add(insertOrders.sql, insertOrders.bind(orderRows));
    unit.writes.add(insertSagas.sql, insertSagas.bind(sagaRows));
    insertHistory(unit, history);
    await this.deps.outbox.append(unit, messages);
    countSagasInFlight(unit, newSagas.length, this.slot());
    const { cache, metrics } = this.deps;
    if (metrics) {
      const observed = new SagaObservations(metrics, now);
      observed.started(newSagas.length);
      unit.afterCommit(observed.committed);
    }
    if (cache)
      unit.afterCommit(() => {
        for (const saga of started) cache.remember(saga.order.orderId, saga);
      });
  }

  /**
   * Applies events in order (several may concern the same saga) in one transaction: one locking
   * read (of the sagas not taken from the cache), one set-based update, one history insert, one
   * outbox insert for the whole batch.
   */
  async applyEvents(
    unit: UnitOfWork,
    inputs: readonly SagaEventInput[],
    options: ApplyOptions = {},
  ): Promise<AppliedEvent[]> {
    if (inputs.length === 0) return [];
    const now = this.deps.clock();
    const { cache } = this.deps;
    const orderIds = [...new Set(inputs.map((i) => i.orderId))];
    const cached = new Map<string, LoadedSaga>();
    if (cache && options.fromCache) {
      for (const orderId of orderIds) {
        const saga = cache.get(orderId);
        if (saga) cached.set(orderId, saga);
      }
    }
    const toRead = cached.size === 0 ? orderIds : orderIds.filter((id) => !cached.has(id));
    const loaded = toRead.length > 0 ? await lockSagas(unit, toRead) : new Map<string, LoadedSaga>();
    for (const [orderId, saga] of cached) loaded.set(orderId, saga);
    const working = new Map<
      string,
      {
        saga: LoadedSaga;
        snapshot: SagaSnapshot;
        deadline: Date | null | undefined;
        changed: boolean;
        /** When the current step's command was last sent: the saga's last write. */
        stepSentAt: Date | undefined;
      }
    >();
    const history: HistoryRow[] = [];
    const messages: OutgoingMessage[] = [];
    const applied: AppliedEvent[] = [];
    const observed = this.deps.metrics ? new SagaObservations(this.deps.metrics, now) : null;

    for (const { orderId, event, cause, reply, traceparent } of inputs) {
      const saga = loaded.get(orderId);
      if (!saga) throw new UnknownSagaError(orderId);
      const current = working.get(orderId) ?? {
        saga,
        snapshot: restore(withPricing(saga.persisted, saga.order)),
        deadline: undefined,
        changed: false,
        stepSentAt: saga.updatedAt,
      };
      working.set(orderId, current);
      const before = current.snapshot;
      const refusal = reply && this.replies.refusal(before, event, reply, cause, now);
      if (refusal) {
        applied.push({ orderId, accepted: false, from: before.value, to: before.value });
        history.push(refusal);
        observed?.rejected(refusal);
        continue;
      }
      const after = step(before, event);
      const decision = decideStep(saga.order, before, cause, after, now, this.deps);
      applied.push({ orderId, accepted: decision.accepted, from: decision.from, to: decision.to });
      history.push(...decision.history);
      if (!decision.accepted) continue;
      pushTraced(messages, decision.messages, traceparent);
      observed?.taken({
        orderId,
        cause: cause.kind,
        from: decision.from,
        to: decision.to,
        context: after.snapshot.context,
        history: decision.history,
        stepSentAt: current.stepSentAt,
      });
      if (decision.deadlineAt !== undefined) current.deadline = decision.deadlineAt;
      current.snapshot = after.snapshot;
      current.changed = true;
      current.stepSentAt = now;
    }

    const writes: SagaWrite[] = [];
    const statusChanges: Array<{ from: SagaWrite['status']; to: SagaWrite['status'] }> = [];
    for (const [orderId, { saga, snapshot, deadline, changed }] of working) {
      if (!changed) continue;
      const write = sagaWriteOf(orderId, saga, snapshot, deadline);
      writes.push(write);
      statusChanges.push({ from: saga.status, to: write.status });
    }
    // A cached saga may be stale: its update (version guard) or, if the events left it unchanged,
    // a version check fails the transaction then, and it runs again reading the saga.
    const stale =
      cached.size === 0
        ? undefined
        : () => {
            cache?.forget(cached.keys());
            return new StaleSagaCacheError([...cached.keys()]);
          };
    saveSagas(unit, writes, stale);
    if (stale)
      checkSagaVersions(
        unit,
        [...cached]
          .filter(([id]) => !working.get(id)?.changed)
          .map(([orderId, s]) => ({ orderId, version: s.version })),
        stale,
      );
    insertHistory(unit, history);
    await this.deps.outbox.append(unit, messages);
    countSagasInFlight(unit, inFlightChange(statusChanges), this.slot());
    if (cache) unit.afterCommit(() => this.remember(cache, loaded, writes, now));
    if (observed) unit.afterCommit(observed.committed);
    return applied;
  }

  /** After a commit: the sagas as written, and the ones read and left unchanged, as they are. */
  private remember(
    cache: SagaCache,
    loaded: ReadonlyMap<string, LoadedSaga>,
    writes: readonly SagaWrite[],
    now: Date,
  ): void {
    const written = new Set<string>();
    for (const w of writes) {
      const saga = loaded.get(w.orderId);
      if (!saga) continue;
      written.add(w.orderId);
      cache.remember(w.orderId, {
        order: saga.order,
        persisted: w.persisted,
        version: w.expectedVersion + 1,
        status: w.status,
        deadlineAt: w.deadlineAt,
        updatedAt: now,
      });
    }
    for (const [orderId, saga] of loaded) if (!written.has(orderId)) cache.remember(orderId, saga);
  }

  /** The counter row of orders.sagas_in_flight this transaction adds to (random: few collisions). */
  private slot(): number {
    return Math.min(sagasInFlightSlots - 1, Math.floor(this.deps.random() * sagasInFlightSlots));
  }
}

/**
 * Appends a decision's messages, with the trace context they continue. The decision's messages are
 * its own fresh objects, so they are given the field rather than copied.
 */
function pushTraced(
  messages: OutgoingMessage[],
  decided: readonly OutgoingMessage[],
  traceparent: string | null | undefined,
): void {
  for (const message of decided) {
    if (traceparent) message.traceparent = traceparent;
    messages.push(message);
  }
}
