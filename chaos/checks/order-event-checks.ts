/**
 * Invariant 8, per-key order on `order-events`: each order's events, read from the topic in
 * partition order (a re-published copy — same message id — counted once), are one valid sequence:
 * OrderPlaced first and once; every OrderStatusChanged leaves the state the one before it entered
 * (the first one leaves the initial state); the last state entered is the saga's stored state; the
 * last lifecycle event (OrderCompleted / OrderCancelled / OrderFailed) is the stored status's; on
 * the order's own key and partition only.
 */
import type { CheckResult } from './check-result.ts';
import type { StoredOrders } from './stored-orders.ts';

export interface OrderEventSeen {
  messageId: string;
  type: string;
  /** The order-id header. */
  orderId: string | null;
  partition: number;
  /** OrderStatusChanged only: previousSagaState and sagaState. */
  from: string | null;
  to: string | null;
}

/** The machine's initial state (orchestrator/saga/order-saga.machine.ts). */
export const initialSagaState = 'reservingStock';

const lifecycleOf: Record<string, string> = {
  OrderCompleted: 'COMPLETED',
  OrderCancelled: 'CANCELLED',
  OrderFailed: 'FAILED',
};

/** The violations of one order's events (already in partition order). */
export function orderSequenceViolations(
  orderId: string,
  events: readonly OrderEventSeen[],
  stored: { status: string; state: string },
): string[] {
  const seen = new Set<string>();
  const distinct = events.filter((e) => !seen.has(e.messageId) && seen.add(e.messageId));
  const out: string[] = [];
  const where = `order ${orderId}`;
  if (distinct[0]?.type !== 'OrderPlaced')
    out.push(`${where}: first event ${distinct[0]?.type ?? 'none'}, not OrderPlaced`);
  const placed = distinct.filter((e) => e.type === 'OrderPlaced').length;
  if (placed !== 1) out.push(`${where}: ${placed} OrderPlaced`);
  const partitions = new Set(distinct.map((e) => e.partition));
  if (partitions.size > 1) out.push(`${where}: events on partitions ${[...partitions].join(', ')}`);
  const foreign = distinct.filter((e) => e.orderId !== orderId);
  if (foreign.length > 0)
    out.push(`${where}: ${foreign.length} events with order-id header ${foreign[0]?.orderId}`);
  let state = initialSagaState;
  for (const e of distinct) {
    if (e.type !== 'OrderStatusChanged') continue;
    if (e.from !== state)
      out.push(`${where}: OrderStatusChanged ${e.from} → ${e.to} after the saga entered ${state}`);
    state = e.to ?? state;
  }
  if (state !== stored.state)
    out.push(`${where}: the events end in ${state}, the saga is in ${stored.state}`);
  const lifecycle = distinct.filter((e) => e.type in lifecycleOf);
  const last = lifecycle[lifecycle.length - 1];
  if (last === undefined || lifecycleOf[last.type] !== stored.status)
    out.push(`${where}: last lifecycle event ${last?.type ?? 'none'}, stored status ${stored.status}`);
  return out;
}

export function orderEventsCheck(
  orders: StoredOrders,
  byKey: ReadonlyMap<string, readonly OrderEventSeen[]>,
): CheckResult {
  const violations: string[] = [];
  let records = 0;
  let copies = 0;
  for (const [key, events] of byKey) {
    records += events.length;
    copies += events.length - new Set(events.map((e) => e.messageId)).size;
    if (!orders.byId.has(key)) violations.push(`${events.length} events on key ${key}, no such order`);
  }
  for (const o of orders.rows)
    violations.push(...orderSequenceViolations(o.order_id, byKey.get(o.order_id) ?? [], o));
  return {
    id: '8',
    invariant: 'per-key order on order-events: one valid sequence per order, ending in its state',
    checked: orders.rows.length,
    violations,
    notes: [`${records} order events read, ${copies} re-published copies (same message id) counted once`],
  };
}
