/**
 * Invariant 5e, cancels and deliveries: every CANCELLED order is refunded as often as it was charged
 * (at most once) and its reservation released; no order is picked up or delivered after being
 * cancelled, nor cancelled once picked up; a COMPLETED order's fulfilment (its saga's carrier times)
 * is its shipment's; and every carrier event the run had accepted shows in its order's fulfilment.
 */
import type { Knex } from 'knex';
import type { PlacedOrder } from '../driver.ts';
import type { CheckResult } from './check-result.ts';
import { kindLabel, type StoredOrders } from './stored-orders.ts';

export interface FulfilmentFacts {
  /** Shipments by order id: status and the carrier's times (ISO, null before). */
  shipments: ReadonlyMap<string, { status: string; pickedUpAt: string | null; deliveredAt: string | null }>;
  /** The saga's recorded fulfilment by order id (orders without one are absent). */
  sagaFulfilment: ReadonlyMap<string, { pickedUpAt: string; deliveredAt: string | null }>;
  /** Charges and refunds per order. */
  ledger: ReadonlyMap<string, { charges: number; refunds: number }>;
  /** Reservation status per order. */
  reservations: ReadonlyMap<string, string>;
}

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

export async function readFulfilmentFacts(db: Knex): Promise<FulfilmentFacts> {
  const shipments: Array<{
    order_id: string;
    status: string;
    picked_up_at: Date | null;
    delivered_at: Date | null;
  }> = await db('shipping.shipments').select('order_id', 'status', 'picked_up_at', 'delivered_at');
  const sagas: Array<{ order_id: string; fulfilment: { pickedUpAt: string; deliveredAt: string | null } }> =
    await db('orders.sagas')
      .whereRaw("snapshot #> '{context,fulfilment}' is not null")
      .select('order_id', db.raw("snapshot #> '{context,fulfilment}' as fulfilment"));
  const ledger: { rows: Array<{ order_id: string; charges: number; refunds: number }> } = await db.raw(`
    select order_id,
           count(*) filter (where kind = 'charge')::int as charges,
           count(*) filter (where kind = 'refund')::int as refunds
      from payment.ledger group by order_id`);
  const reservations: Array<{ order_id: string; status: string }> = await db('inventory.reservations').select(
    'order_id',
    'status',
  );
  return {
    shipments: new Map(
      shipments.map((s) => [
        s.order_id,
        { status: s.status, pickedUpAt: iso(s.picked_up_at), deliveredAt: iso(s.delivered_at) },
      ]),
    ),
    sagaFulfilment: new Map(sagas.map((s) => [s.order_id, s.fulfilment])),
    ledger: new Map(ledger.rows.map((l) => [l.order_id, l])),
    reservations: new Map(reservations.map((r) => [r.order_id, r.status])),
  };
}

const stageOfState: Readonly<Record<string, string>> = { shipped: 'PICKED_UP', delivered: 'DELIVERED' };

export function fulfilmentCheck(
  orders: StoredOrders,
  placed: readonly PlacedOrder[],
  facts: FulfilmentFacts,
): CheckResult {
  const violations: string[] = [];
  const label = (orderId: string) => `${orderId} (${kindLabel(orders, orderId)})`;
  for (const o of orders.rows) {
    const shipment = facts.shipments.get(o.order_id);
    const recorded = facts.sagaFulfilment.get(o.order_id);
    if (o.status === 'CANCELLED') {
      const l = facts.ledger.get(o.order_id) ?? { charges: 0, refunds: 0 };
      if (l.refunds !== l.charges)
        violations.push(`CANCELLED order ${label(o.order_id)}: ${l.charges} charges, ${l.refunds} refunds`);
      const reservation = facts.reservations.get(o.order_id);
      if (reservation === 'RESERVED')
        violations.push(`CANCELLED order ${label(o.order_id)}: its reservation is still RESERVED`);
      if (recorded !== undefined || shipment?.pickedUpAt)
        violations.push(`CANCELLED order ${label(o.order_id)} was picked up by its carrier`);
      continue;
    }
    if (o.status !== 'COMPLETED') continue;
    const stage = stageOfState[o.state];
    if (stage === undefined) {
      if (recorded !== undefined)
        violations.push(`order ${label(o.order_id)} in ${o.state} has a fulfilment`);
      continue;
    }
    if (recorded === undefined || shipment === undefined) {
      violations.push(`order ${label(o.order_id)} in ${o.state}: fulfilment or shipment missing`);
      continue;
    }
    if (
      recorded.pickedUpAt !== shipment.pickedUpAt ||
      (stage === 'DELIVERED' && recorded.deliveredAt !== shipment.deliveredAt)
    )
      violations.push(
        `order ${label(o.order_id)} ${stage}: saga times ${recorded.pickedUpAt}/${recorded.deliveredAt}, shipment ${shipment.pickedUpAt}/${shipment.deliveredAt}`,
      );
  }
  let followed = 0;
  for (const p of placed) {
    const row = orders.byKey.get(p.key);
    if (!row || p.followUp === undefined) continue;
    followed += 1;
    for (const problem of p.followUp.problems) violations.push(`order ${label(row.order_id)}: ${problem}`);
    const { pickedUpAt, deliveredAt } = p.followUp;
    if (pickedUpAt === null) continue;
    const recorded = facts.sagaFulfilment.get(row.order_id);
    const want = deliveredAt === null ? 'shipped' : 'delivered';
    if (
      row.state !== want ||
      recorded?.pickedUpAt !== pickedUpAt ||
      (recorded?.deliveredAt ?? null) !== deliveredAt
    )
      violations.push(
        `order ${label(row.order_id)}: the carrier's ${pickedUpAt}/${deliveredAt} accepted, the order is ${row.state} with ${recorded?.pickedUpAt ?? null}/${recorded?.deliveredAt ?? null}`,
      );
  }
  return {
    id: '5e',
    invariant:
      'cancelled: refunded per charge, released, never picked up; fulfilment = shipment = the carrier events accepted',
    checked: orders.rows.length + followed,
    violations,
  };
}
