/**
 * Invariant 6, the expected outcome per order kind. A timeout is the saga's correct answer to a
 * participant that cannot answer within the step's deadlines, so a non-silent order that timed out
 * is explained (a note, not a violation) when the step that ran out of attempts overlapped a
 * disruption of that participant's or the orchestrator's consumer group (or a broker restart), up
 * to `graceMs` after it ended. Anything else is a violation.
 */
import type { Knex } from 'knex';
import type { PlacedOrder } from '../driver.ts';
import { expectedOutcome } from '../order-mix.ts';
import type { CheckResult, Disruption } from './check-result.ts';
import type { OrderRow, StoredOrders } from './stored-orders.ts';
import { type HistoryRow, participantOfState, timedOutStep } from './timed-out-step.ts';

/** A stored order whose status (or cancel reason) is not its kind's. */
export interface Mismatch {
  p: PlacedOrder;
  row: OrderRow;
  /** e.g. `CANCELLED/timeout` */
  got: string;
  want: string;
}

export interface Outcomes {
  /** Placed orders found in the database. */
  checked: number;
  mismatched: Mismatch[];
}

export function compareOutcomes(placed: readonly PlacedOrder[], orders: StoredOrders): Outcomes {
  let checked = 0;
  const mismatched: Mismatch[] = [];
  for (const p of placed) {
    const row = orders.byKey.get(p.key);
    if (!row) continue;
    checked += 1;
    const want = expectedOutcome[p.kind];
    if (row.status !== want.status || (row.cancel_reason ?? null) !== want.cancelReason)
      mismatched.push({
        p,
        row,
        got: `${row.status}${row.cancel_reason ? `/${row.cancel_reason}` : ''}`,
        want: `${want.status}${want.cancelReason ? `/${want.cancelReason}` : ''}`,
      });
  }
  return { checked, mismatched };
}

/** The saga_history of the mismatched orders that timed out (each in order), by order id. */
export async function readTimedOutHistories(
  db: Knex,
  mismatched: readonly Mismatch[],
): Promise<Map<string, HistoryRow[]>> {
  const timedOut = mismatched.filter((m) => m.row.cancel_reason === 'timeout').map((m) => m.row.order_id);
  const histories = new Map<string, HistoryRow[]>();
  for (let i = 0; i < timedOut.length; i += 2_000) {
    const rows: HistoryRow[] = await db('orders.saga_history')
      .whereIn('order_id', timedOut.slice(i, i + 2_000))
      .orderBy(['order_id', 'id'])
      .select('order_id', 'kind', 'from_state', 'to_state', 'at');
    for (const r of rows) histories.set(r.order_id, [...(histories.get(r.order_id) ?? []), r]);
  }
  return histories;
}

export function outcomeCheck(
  outcomes: Outcomes,
  histories: ReadonlyMap<string, readonly HistoryRow[]>,
  disruptions: readonly Disruption[],
  graceMs: number,
): CheckResult {
  const violations: string[] = [];
  const explained = new Map<string, number>();
  const unexplained = new Map<string, number>();
  for (const { p, row, got, want } of outcomes.mismatched) {
    const label = `${p.kind} → ${got}`;
    let cause: string | null = null;
    if (row.status === 'CANCELLED' && row.cancel_reason === 'timeout') {
      const step = timedOutStep(histories.get(row.order_id) ?? []);
      if (step) {
        const affected = new Set(['orchestrator', participantOfState[step.state] as string]);
        const overlapping = disruptions.filter(
          (d) =>
            d.services.some((s) => affected.has(s)) &&
            d.from <= step.to &&
            (d.to ?? Number.POSITIVE_INFINITY) + graceMs >= step.from,
        );
        if (overlapping.length > 0)
          cause = `${step.state} during ${overlapping.map((d) => d.what).join(', ')}`;
        else
          violations.push(
            `order ${row.order_id} (#${p.n}, ${p.kind}) ended ${got}, expected ${want}: ${step.state} from ${new Date(step.from).toISOString()} to ${new Date(step.to).toISOString()} overlapped no disruption`,
          );
      } else {
        violations.push(
          `order ${row.order_id} (#${p.n}, ${p.kind}) ended ${got}, expected ${want}; no forward step ran out of attempts`,
        );
      }
    } else {
      violations.push(`order ${row.order_id} (#${p.n}, ${p.kind}) ended ${got}, expected ${want}`);
    }
    const bucket = cause === null ? unexplained : explained;
    bucket.set(label, (bucket.get(label) ?? 0) + 1);
  }
  return {
    id: '6',
    invariant: 'expected outcome per order kind',
    checked: outcomes.checked,
    violations,
    notes: [
      ...[...explained].map(
        ([label, n]) => `${n} × ${label}: timed out during a kill/broker restart (explained)`,
      ),
      ...[...unexplained].map(([label, n]) => `${n} × ${label}: UNEXPLAINED`),
    ],
  };
}
