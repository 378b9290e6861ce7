/**
 * What happens to a saga whose deadline cannot be handled (its snapshot cannot be restored, the
 * machine throws on it, a write of its own fails): the failure is recorded in its history and its
 * deadline moved back (backing off), so it leaves the head of the sweeper's queue; after
 * `maxFailures` consecutive failures it is parked — order status FAILED, no deadline, the error in
 * its history — until an operator's retry (POST /orders/:id/retry) resumes it. Rare paths only:
 * nothing here runs while deadlines are handled.
 */
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';
import type { HistoryRow } from '../saga/saga-history.ts';
import type { SagaStateName } from '../saga/saga-types.ts';
import { countSagasInFlight, inFlightChange, sagaRowStatus } from './in-flight-counter.ts';
import { insertHistory } from './saga-store.ts';

/** History kinds of the sweeper's failures (orders.saga_history.kind). */
export const deadlineFailedKind = 'deadline_failed';
export const sagaParkedKind = 'saga_parked';

export interface DeadlineFailurePolicy {
  /** Consecutive failures of a saga's deadline after which it is parked as FAILED. */
  maxFailures: number;
  /** Wait before the saga's deadline is tried again after its first failure; doubles with each next one. */
  backoffMs: number;
  /** Longest wait between two tries. */
  maxBackoffMs: number;
}

export const defaultDeadlineFailurePolicy: DeadlineFailurePolicy = {
  maxFailures: 5,
  backoffMs: 1_000,
  maxBackoffMs: 60_000,
};

/** Wait after the n-th consecutive failure (from 1). */
export const deadlineRetryDelayMs = (policy: DeadlineFailurePolicy, failures: number): number =>
  Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** Math.min(failures - 1, 30));

/** The in-flight counter row parking and resuming add to: rare writes, so always the first one. */
const rareSlot = 0;

/** The error as recorded: its name and message, never its stack. */
export const describeError = (error: unknown): { name: string; message: string; code?: string } => {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
  };
};

export type DeadlineFailureOutcome =
  | { kind: 'backed_off'; failures: number; retryAt: Date }
  | { kind: 'parked'; failures: number }
  /** Another instance handled it meanwhile, or its deadline is no longer due. */
  | { kind: 'gone' };

interface DueSaga {
  state: SagaStateName;
  parked: boolean;
}

/**
 * Records one failed handling of the saga's deadline, in the caller's unit of work (a transaction
 * of its own: the failed attempt rolled back). Its consecutive failures are counted from its
 * history: the last row is the previous failure's when nothing else happened to the saga since.
 */
export async function recordDeadlineFailure(
  unit: UnitOfWork,
  orderId: string,
  error: unknown,
  now: Date,
  policy: DeadlineFailurePolicy,
): Promise<DeadlineFailureOutcome> {
  const [saga] = await unit.read<DueSaga>(
    queryBuilder.raw(
      `select s.state, s.parked from orders.sagas s
        where s.order_id = ? and s.deadline_at <= ?
          for update skip locked`,
      [orderId, now],
    ),
  );
  if (!saga) return { kind: 'gone' };
  const [last] = await unit.read<{ kind: string; detail: { failures?: unknown } | null }>(
    queryBuilder.raw(
      'select kind, detail from orders.saga_history where order_id = ? order by id desc limit 1',
      [orderId],
    ),
  );
  const previous =
    last?.kind === deadlineFailedKind && typeof last.detail?.failures === 'number' ? last.detail.failures : 0;
  const failures = previous + 1;
  const row = (kind: string, detail: Record<string, unknown>): HistoryRow => ({
    order_id: orderId,
    kind,
    type: 'DEADLINE_PASSED',
    message_id: null,
    from_state: saga.state,
    to_state: saga.state,
    detail: { ...detail, failures, error: describeError(error) },
    at: now,
  });
  // The version moves on: a cached copy of the saga (deadline, status) is stale from now on.
  if (failures >= policy.maxFailures) {
    unit.writes.add(
      'update orders.sagas set deadline_at = null, parked = true, version = version + 1, updated_at = now() where order_id = ?',
      [orderId],
    );
    unit.writes.add("update orders.orders set status = 'FAILED', updated_at = now() where order_id = ?", [
      orderId,
    ]);
    insertHistory(unit, [row(sagaParkedKind, {})]);
    countSagasInFlight(unit, inFlightChange([{ from: sagaRowStatus(saga), to: 'FAILED' }]), rareSlot);
    return { kind: 'parked', failures };
  }
  const retryAt = new Date(now.getTime() + deadlineRetryDelayMs(policy, failures));
  unit.writes.add(
    'update orders.sagas set deadline_at = ?, version = version + 1, updated_at = now() where order_id = ?',
    [retryAt, orderId],
  );
  insertHistory(unit, [row(deadlineFailedKind, { retryAt: retryAt.toISOString() })]);
  return { kind: 'backed_off', failures, retryAt };
}

/**
 * Whether a saga is parked (`orders.sagas.parked`): its order FAILED while its snapshot is in a step
 * (a FAILED saga of the machine's own is in `failed`, and resumes with the machine's RETRY).
 */
export const isParked = (saga: { parked: boolean }): boolean => saga.parked;

/**
 * An operator's retry of a parked saga, in the caller's unit of work (the saga row locked by it):
 * its deadline is due again now, so the sweeper tries it at once, with a fresh failure count.
 */
export function resumeParked(
  unit: UnitOfWork,
  orderId: string,
  state: string,
  now: Date,
  detail: Record<string, unknown>,
): void {
  unit.writes.add(
    'update orders.sagas set deadline_at = ?, parked = false, version = version + 1, updated_at = now() where order_id = ?',
    [now, orderId],
  );
  unit.writes.add("update orders.orders set status = 'PENDING', updated_at = now() where order_id = ?", [
    orderId,
  ]);
  insertHistory(unit, [
    {
      order_id: orderId,
      kind: 'operator_action',
      type: 'RETRY',
      message_id: null,
      from_state: state,
      to_state: state,
      detail: { ...detail, resumed: 'parked' },
      at: now,
    },
  ]);
  countSagasInFlight(unit, inFlightChange([{ from: 'FAILED', to: 'PENDING' }]), rareSlot);
}
