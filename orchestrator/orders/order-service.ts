import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { type AuditCaller, type AuditOutcome, orderTarget } from '../../lib/audit/audit-entry.ts';
import type { AuditTrail } from '../../lib/audit/audit-trail.ts';
import { GroupCommit } from '../../lib/db/group-commit.ts';
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import type { Clock, IdGenerator } from '../../lib/ids.ts';
import { OrderSpans } from '../../lib/tracing/order-spans.ts';
import { type Tracing, tracingOff } from '../../lib/tracing/tracing-api.ts';
import { isParked, resumeParked } from '../runner/deadline-failures.ts';
import type { NewSaga, SagaRunner } from '../runner/saga-runner.ts';
import type { OrderRecord } from '../saga/order-record.ts';
import type { OrderStatus, SagaStateName } from '../saga/saga-types.ts';
import { type Admission, admitAll } from './admission.ts';
import { type Canceller, type CancelResult, cancelOrder } from './order-cancel.ts';

/** An order line as the client sends it; `unitPrice` is the price the customer expects, if any. */
export interface PlaceOrderLine {
  sku: string;
  quantity: number;
  unitPrice?: number;
}

export interface PlaceOrderRequest {
  customerId: string;
  items: PlaceOrderLine[];
  currency: string;
  paymentToken: string;
  shippingAddress: {
    name: string;
    line1: string;
    line2?: string;
    city: string;
    postalCode: string;
    country: string;
  };
  /** Optional: without it the order is placed and no notification is sent. */
  contact?: { email: string; phone?: string };
}

export type PlaceOrderResult =
  | { kind: 'created'; orderId: string; status: OrderStatus }
  | { kind: 'replayed'; orderId: string; status: OrderStatus }
  | { kind: 'idempotency_conflict'; orderId: string }
  | { kind: 'overloaded'; sagasInFlight: number; limit: number; retryAfterS: number };

export type RetryResult =
  | { kind: 'retried'; orderId: string; state: SagaStateName }
  | { kind: 'not_found' }
  | { kind: 'not_failed'; state: SagaStateName };

/** Canonical JSON (sorted keys) so the same request always has the same fingerprint. */
const canonical = (value: unknown): string =>
  Array.isArray(value)
    ? `[${value.map(canonical).join(',')}]`
    : value !== null && typeof value === 'object'
      ? `{${Object.keys(value)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
          .join(',')}}`
      : JSON.stringify(value);

export const fingerprintOf = (request: PlaceOrderRequest): string =>
  createHash('sha256').update(canonical(request)).digest('hex');

const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown }).code === '23505';

/**
 * Order creations committing at once. One: POSTs that arrive while a creation commits wait for it
 * and share the next, larger transaction (and so the next publish of ReserveStock commands). Two
 * made twice as many, half-sized commits; against two, one lowered p50 and p99 at 750 sagas/s in six
 * of six interleaved pairs and changed nothing at 500 and 1000/s (bench/README.md, "Session of
 * 2026-12-03 (fifth)").
 */
export const creationCommitsInFlight = 1;

/**
 * Order commands: placing an order (order + saga + first command in one transaction, shared with
 * concurrent requests), cancel (customer or operator) and operator retry.
 */
export class OrderService {
  private readonly db: Knex;
  private readonly units: UnitOfWorkRunner;
  private readonly runner: SagaRunner;
  private readonly newId: IdGenerator;
  private readonly clock: Clock;
  private readonly creations: GroupCommit<NewSaga, void>;
  private readonly audit: AuditTrail;
  private readonly tracing: Tracing;
  readonly admission: Admission;

  constructor({
    db,
    units,
    runner,
    audit,
    newId,
    clock,
    admission = admitAll,
    tracing = tracingOff,
  }: {
    db: Knex;
    units: UnitOfWorkRunner;
    runner: SagaRunner;
    /** Records operator actions (retry, cancel) with their effect. */
    audit: AuditTrail;
    newId: IdGenerator;
    clock: Clock;
    /** Refuses new orders while too many sagas are in flight (default: admits everything). */
    admission?: Admission;
    /** Each placed order's trace starts here (its root span); a retry is a span in it. */
    tracing?: Tracing;
  }) {
    this.db = db;
    this.admission = admission;
    this.units = units;
    this.runner = runner;
    this.audit = audit;
    this.newId = newId;
    this.clock = clock;
    this.tracing = tracing;
    // Concurrent POSTs share transactions: under load one commit creates many orders. The unit only
    // writes, so it is one statement and one round trip.
    this.creations = new GroupCommit<NewSaga, void>({
      commit: async (sagas) => {
        await this.units.run((unit) => this.runner.createSagas(unit, sagas));
        return sagas.map(() => undefined);
      },
      maxBatch: 100,
      maxConcurrent: creationCommitsInFlight,
    });
  }

  async place(
    request: PlaceOrderRequest,
    { idempotencyKey, correlationId }: { idempotencyKey: string | null; correlationId?: string },
  ): Promise<PlaceOrderResult> {
    // The fingerprint only serves to compare a retried request with the first one under its key.
    const fingerprint = idempotencyKey === null ? null : fingerprintOf(request);
    if (idempotencyKey !== null && fingerprint !== null) {
      const existing = await this.findByKey(idempotencyKey, fingerprint);
      if (existing) return existing;
    }
    // A retried request is answered above whatever the load; only new orders wait for capacity.
    const decision = this.admission.admit();
    if (!decision.admitted) {
      const { sagasInFlight, limit, retryAfterS } = decision;
      return { kind: 'overloaded', sagasInFlight, limit, retryAfterS };
    }
    const order: OrderRecord = {
      orderId: this.newId(),
      customerId: request.customerId,
      // A given unit price is only what the customer expects: the saga charges the catalog's.
      items: request.items.map(({ sku, quantity, unitPrice }) => ({
        sku,
        quantity,
        unitPrice: unitPrice ?? null,
      })),
      total: null,
      currency: request.currency,
      paymentToken: request.paymentToken,
      shippingAddress: { ...request.shippingAddress, line2: request.shippingAddress.line2 ?? null },
      contact: request.contact
        ? { email: request.contact.email, phone: request.contact.phone ?? null }
        : null,
      correlationId: correlationId ?? this.newId(),
    };
    // The root span of the order's trace, from here to the commit of its creation.
    const span = this.tracing.startOrderSpan('POST /orders', order.orderId, { 'order.id': order.orderId });
    try {
      await this.creations.submit({ order, idempotencyKey, fingerprint, traceparent: span?.traceparent });
      span?.end();
      return { kind: 'created', orderId: order.orderId, status: 'PENDING' };
    } catch (error) {
      span?.end(error);
      // Two requests with the same key raced: the other one won; answer with its order.
      if (idempotencyKey !== null && fingerprint !== null && isUniqueViolation(error)) {
        const existing = await this.findByKey(idempotencyKey, fingerprint);
        if (existing) return existing;
      }
      throw error;
    } finally {
      decision.settled();
    }
  }

  /**
   * Resumes a FAILED saga from its pending compensation (a new round: new command message ids).
   * Audited (action `retry`, target `order:<id>`): the record commits with the resumed saga; a
   * refusal (not FAILED) is recorded in a transaction of its own, after the attempt rolled back.
   */
  async retry(orderId: string, caller: AuditCaller): Promise<RetryResult> {
    const entry = (outcome: AuditOutcome, detail: Record<string, unknown>) => ({
      ...caller,
      action: 'retry',
      target: orderTarget(orderId),
      outcome,
      detail,
    });
    return new OrderSpans(this.tracing)
      .around((spans) =>
        this.units.run(async (unit) => {
          const [saga] = await unit.read<{ state: SagaStateName; parked: boolean }>(
            queryBuilder('orders.sagas as s')
              .join('orders.orders as o', 'o.order_id', 's.order_id')
              .where('s.order_id', orderId)
              .select('s.state', 's.parked')
              .forUpdate('s'),
          );
          if (!saga) {
            await this.audit.add(unit, entry('not_found', {}));
            return { kind: 'not_found' } as const;
          }
          if (isParked(saga)) {
            // Parked by the deadline sweeper: its deadline is due again, the sweeper tries it now.
            const at = this.clock();
            resumeParked(unit, orderId, saga.state, at, { at: at.toISOString(), actor: caller.actor });
            await this.audit.add(
              unit,
              entry('applied', { from: saga.state, to: saga.state, resumed: 'parked' }),
            );
            return { kind: 'retried', orderId, state: saga.state } as const;
          }
          const [applied] = await this.runner.applyEvents(unit, [
            {
              orderId,
              event: { type: 'RETRY' },
              cause: {
                kind: 'operator',
                type: 'RETRY',
                messageId: null,
                detail: { at: this.clock().toISOString(), actor: caller.actor },
              },
              traceparent: spans.start('RETRY', orderId),
            },
          ]);
          if (!applied?.accepted) throw new NotFailedError(saga.state as SagaStateName);
          await this.audit.add(unit, entry('applied', { from: applied.from, to: applied.to }));
          return { kind: 'retried', orderId, state: applied.to } as const;
        }),
      )
      .catch(async (error: unknown) => {
        if (!(error instanceof NotFailedError)) throw error;
        await this.audit.record(entry('rejected', { state: error.state, reason: 'not FAILED' }));
        return { kind: 'not_failed', state: error.state } as const;
      });
  }

  /** A customer's (own orders only) or an operator's cancel (order-cancel.ts). */
  cancel(orderId: string, canceller: Canceller): Promise<CancelResult> {
    const { units, runner, audit, clock } = this;
    return cancelOrder({ units, runner, audit, clock }, orderId, canceller);
  }

  private async findByKey(idempotencyKey: string, fingerprint: string): Promise<PlaceOrderResult | null> {
    const row = await this.db('orders.orders')
      .where({ idempotency_key: idempotencyKey })
      .first('order_id', 'status', 'request_fingerprint');
    if (!row) return null;
    if (row.request_fingerprint !== fingerprint)
      return { kind: 'idempotency_conflict', orderId: row.order_id };
    return { kind: 'replayed', orderId: row.order_id, status: row.status };
  }
}

/** Thrown inside the retry transaction so nothing (not even the ignored-event history row) is kept. */
class NotFailedError extends Error {
  readonly state: SagaStateName;
  constructor(state: SagaStateName) {
    super(`saga is ${state}, not failed`);
    this.state = state;
  }
}
