/**
 * A cancel asked by the order's customer or an operator: the saga takes `CANCEL` where its machine
 * allows it (it compensates from the step in flight); elsewhere the answer says why not. Audited
 * when an operator asks (action `cancel`, target `order:<id>`), as a retry is: the record commits
 * with the cancelled saga; a refusal is recorded in a transaction of its own.
 */
import { type AuditCaller, type AuditOutcome, orderTarget } from '../../lib/audit/audit-entry.ts';
import type { AuditTrail } from '../../lib/audit/audit-trail.ts';
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import type { Clock } from '../../lib/ids.ts';
import { isParked } from '../runner/deadline-failures.ts';
import type { SagaRunner } from '../runner/saga-runner.ts';
import type { CancelReason, SagaStateName } from '../saga/saga-types.ts';

export type CancelResult =
  /** The saga took CANCEL: it compensates (or, with nothing in flight, is cancelled already). */
  | { kind: 'cancelling'; from: SagaStateName; to: SagaStateName }
  /** Already cancelled, or already compensating for a cancel: nothing changes (a no-op, not an error). */
  | { kind: 'unchanged'; state: SagaStateName }
  /** Unknown, or another customer's order. */
  | { kind: 'not_found' }
  /** The saga cannot take a cancel in its state: `reason` says why. */
  | { kind: 'refused'; state: SagaStateName; reason: string };

export interface CancelDeps {
  units: UnitOfWorkRunner;
  runner: SagaRunner;
  audit: AuditTrail;
  clock: Clock;
}

/** Who cancels: the caller, and the customer whose orders they may cancel (null: an operator, any). */
export interface Canceller {
  caller: AuditCaller;
  customerId: string | null;
}

type SagaRowState = { state: SagaStateName; parked: boolean; cancel_reason: CancelReason | null };

/** Why a saga in `state` that did not take CANCEL is left as it is (`null`) or refuses it (the reason). */
function refusalOf(saga: SagaRowState): string | null {
  const { state, cancel_reason } = saga;
  if (isParked(saga))
    return 'the order is FAILED: its saga was parked, as its deadline kept failing (the error is in its history); an operator retry (POST /orders/:id/retry) resumes it';
  if (state === 'cancelled') return null;
  if (state === 'failed')
    return 'the order is FAILED: a compensation could not be completed; an operator retry (POST /orders/:id/retry) resumes it';
  if (state === 'shipped' || state === 'delivered')
    return `the order's parcel was already picked up by its carrier (fulfilment ${state === 'shipped' ? 'PICKED_UP' : 'DELIVERED'}): it can no longer be cancelled`;
  if (cancel_reason === 'customer_cancelled') return null;
  return cancel_reason === null
    ? `the order cannot be cancelled in state ${state}`
    : `the order is already being cancelled (${cancel_reason}), in state ${state}`;
}

export async function cancelOrder(
  deps: CancelDeps,
  orderId: string,
  { caller, customerId }: Canceller,
): Promise<CancelResult> {
  const audited = customerId === null;
  const entry = (outcome: AuditOutcome, detail: Record<string, unknown>) => ({
    ...caller,
    action: 'cancel',
    target: orderTarget(orderId),
    outcome,
    detail,
  });
  return deps.units
    .run(async (unit): Promise<CancelResult> => {
      // Locked: the state read is the one CANCEL meets.
      const query = queryBuilder('orders.sagas as s')
        .join('orders.orders as o', 'o.order_id', 's.order_id')
        .where('s.order_id', orderId)
        // The saga's own cancel reason: set when it starts compensating (the order's, only once CANCELLED).
        .select(
          's.state',
          's.parked',
          queryBuilder.raw(`s.snapshot #>> '{context,cancelReason}' as cancel_reason`),
        )
        .forUpdate('s');
      if (customerId !== null) query.where('o.customer_id', customerId);
      const [saga] = await unit.read<SagaRowState>(query);
      if (!saga) {
        if (audited) await deps.audit.add(unit, entry('not_found', {}));
        return { kind: 'not_found' };
      }
      // A parked saga waits for an operator's retry (runner/deadline-failures.ts).
      if (isParked(saga)) throw new NotCancelledError(saga);
      const [applied] = await deps.runner.applyEvents(unit, [
        {
          orderId,
          event: { type: 'CANCEL' },
          cause: {
            kind: audited ? 'operator' : 'customer',
            type: 'CANCEL',
            messageId: null,
            detail: { at: deps.clock().toISOString(), actor: caller.actor },
          },
        },
      ]);
      if (!applied?.accepted) throw new NotCancelledError(saga);
      if (audited) await deps.audit.add(unit, entry('applied', { from: applied.from, to: applied.to }));
      return { kind: 'cancelling', from: applied.from, to: applied.to };
    })
    .catch(async (error: unknown): Promise<CancelResult> => {
      // Rolled back: not even the ignored event's history row is kept.
      if (!(error instanceof NotCancelledError)) throw error;
      const { state } = error.saga;
      const reason = refusalOf(error.saga);
      if (reason === null) return { kind: 'unchanged', state };
      if (audited) await deps.audit.record(entry('rejected', { state, reason }));
      return { kind: 'refused', state, reason };
    });
}

/** Thrown inside the cancel transaction when the saga did not take CANCEL, so nothing is kept. */
class NotCancelledError extends Error {
  readonly saga: SagaRowState;
  constructor(saga: SagaRowState) {
    super(`saga in state ${saga.state} did not take CANCEL`);
    this.saga = saga;
  }
}
