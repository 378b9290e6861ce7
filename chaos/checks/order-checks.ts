/**
 * Invariants 0–1c, about the orders and their sagas: every acknowledged order stored once under its
 * key, every order terminal and agreeing with its saga, no FAILED saga, an exact in-flight counter.
 */
import type { PlacedOrder } from '../driver.ts';
import type { CheckResult } from './check-result.ts';
import { kindLabel, type StoredOrders } from './stored-orders.ts';

const terminalStatuses = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);
const statusOfState: Record<string, string> = {
  completed: 'COMPLETED',
  shipped: 'COMPLETED',
  delivered: 'COMPLETED',
  cancelled: 'CANCELLED',
  failed: 'FAILED',
};

/** 0: every acknowledged order exists once; a key always named the same order; no stray orders. */
export function acknowledgedOrdersCheck(placed: readonly PlacedOrder[], orders: StoredOrders): CheckResult {
  const violations: string[] = [];
  const placedKeys = new Set(placed.map((p) => p.key));
  for (const p of placed) {
    if (p.gaveUp !== null)
      violations.push(`order #${p.n} (${p.kind}, key ${p.key}) never acknowledged: ${p.gaveUp}`);
    if (p.orderIds.size > 1)
      violations.push(
        `key ${p.key} answered with ${p.orderIds.size} different order ids: ${[...p.orderIds].join(', ')}`,
      );
    for (const id of p.orderIds) {
      const row = orders.byId.get(id);
      if (!row)
        violations.push(
          `order ${id} (#${p.n}, ${p.kind}) was acknowledged (202) but is not in orders.orders`,
        );
      else if (row.idempotency_key !== p.key)
        violations.push(
          `order ${id} was acknowledged for key ${p.key} but stored with key ${row.idempotency_key}`,
        );
    }
  }
  for (const o of orders.rows) {
    if (o.idempotency_key === null || !placedKeys.has(o.idempotency_key))
      violations.push(
        `order ${o.order_id} in the database was never placed by this run (key ${o.idempotency_key})`,
      );
  }
  const retried = placed.filter((p) => p.attempts > 1).length;
  return {
    id: '0',
    invariant: 'acknowledged orders exist exactly once (Idempotency-Key)',
    checked: placed.length,
    violations,
    notes: [`${retried} POSTs needed more than one attempt (same Idempotency-Key)`],
  };
}

/** 1: every order terminal, and its status agrees with its saga's state. */
export function terminalOrdersCheck(orders: StoredOrders): CheckResult {
  const violations: string[] = [];
  for (const o of orders.rows) {
    if (!terminalStatuses.has(o.status))
      violations.push(
        `order ${o.order_id} (${kindLabel(orders, o.order_id)}) is ${o.status}, saga in ${o.state}`,
      );
    else if (statusOfState[o.state] !== o.status)
      violations.push(`order ${o.order_id} is ${o.status} but its saga is in ${o.state}`);
  }
  return {
    id: '1',
    invariant: 'every order terminal (COMPLETED/CANCELLED/FAILED)',
    checked: orders.rows.length,
    violations,
  };
}

/**
 * 1b: FAILED needs a compensation that could not complete: the only ones a run causes are its
 * compensation-fault windows', and it retries those as an operator, so none is left at the end.
 */
export function noFailedSagaCheck(orders: StoredOrders): CheckResult {
  const failed = orders.rows.filter((o) => o.status === 'FAILED');
  return {
    id: '1b',
    invariant: 'no FAILED saga left (compensation faults retried)',
    checked: orders.rows.length,
    violations: failed.map(
      (o) => `order ${o.order_id} (${kindLabel(orders, o.order_id)}) FAILED in ${o.state}`,
    ),
  };
}

/** 1c: the in-flight counter admission control reads (`counted`) stayed exact through crashes and restarts. */
export function sagasInFlightCheck(orders: StoredOrders, counted: number): CheckResult {
  const pending = orders.rows.filter((o) => o.status === 'PENDING').length;
  return {
    id: '1c',
    invariant: 'sagas in flight (orders.sagas_in_flight) = PENDING orders',
    checked: orders.rows.length,
    violations:
      counted === pending ? [] : [`orders.sagas_in_flight sums to ${counted}; ${pending} orders are PENDING`],
  };
}
