/**
 * Invariants 2 and 2b, about stock: every SKU's units are conserved, and each order's reservation
 * matches its outcome (a COMPLETED order holds exactly its lines, a CANCELLED one nothing).
 */
import type { Knex } from 'knex';
import type { CheckResult } from './check-result.ts';
import { kindLabel, type OrderItem, type StoredOrders } from './stored-orders.ts';

export interface StockBalance {
  sku: string;
  available: number;
  seeded: number;
  /** Units held by RESERVED reservations. */
  held: number;
}

export interface ReservationRow {
  order_id: string;
  status: string;
  items: OrderItem[];
}

export async function readStockBalances(db: Knex): Promise<StockBalance[]> {
  const result: { rows: StockBalance[] } = await db.raw(`
    select s.sku, s.available, s.seeded, coalesce(r.held, 0)::int as held
      from inventory.stock s
      left join (select item->>'sku' as sku, sum((item->>'quantity')::int) as held
                   from inventory.reservations, jsonb_array_elements(items) as item
                  where status = 'RESERVED'
                  group by 1) r using (sku)
     order by s.sku`);
  return result.rows;
}

export const readReservations = (db: Knex): Promise<ReservationRow[]> =>
  db('inventory.reservations').select('order_id', 'status', 'items');

/** Quantity per SKU, sorted by SKU, as JSON: two item lists hold the same units when these are equal. */
export const aggregate = (items: readonly OrderItem[]): string =>
  JSON.stringify(
    [
      ...items.reduce((m, i) => m.set(i.sku, (m.get(i.sku) ?? 0) + i.quantity), new Map<string, number>()),
    ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

/** 2: per SKU, available + active reservations = seeded. */
export function stockConservationCheck(balances: readonly StockBalance[]): CheckResult {
  const violations = balances
    .filter((r) => r.available + r.held !== r.seeded)
    .map(
      (r) =>
        `${r.sku}: available ${r.available} + reserved ${r.held} = ${r.available + r.held}, seeded ${r.seeded}`,
    );
  const moved = balances.filter((r) => r.held > 0 || r.available !== r.seeded).length;
  return {
    id: '2',
    invariant: 'per SKU: available + active reservations = seeded',
    checked: balances.length,
    violations,
    notes: moved === 0 ? ['no stock moved'] : [],
  };
}

/** 2b: a COMPLETED order holds exactly its items; a CANCELLED one holds nothing; no stray reservation. */
export function reservationCheck(orders: StoredOrders, reservations: readonly ReservationRow[]): CheckResult {
  const byOrder = new Map(reservations.map((r) => [r.order_id, r]));
  const violations: string[] = [];
  for (const o of orders.rows) {
    const r = byOrder.get(o.order_id);
    if (o.status === 'COMPLETED') {
      if (r?.status !== 'RESERVED')
        violations.push(`COMPLETED order ${o.order_id} has reservation ${r?.status ?? 'none'}`);
      else if (aggregate(r.items) !== aggregate(o.items))
        violations.push(
          `COMPLETED order ${o.order_id} reserved ${aggregate(r.items)}, ordered ${aggregate(o.items)}`,
        );
    } else if (o.status === 'CANCELLED' && r?.status === 'RESERVED') {
      violations.push(
        `CANCELLED order ${o.order_id} (${kindLabel(orders, o.order_id)}) still holds ${aggregate(r.items)}`,
      );
    }
  }
  for (const r of reservations)
    if (!orders.byId.has(r.order_id))
      violations.push(`reservation for unknown order ${r.order_id} (${r.status})`);
  return {
    id: '2b',
    invariant: 'reservation matches outcome per order',
    checked: orders.rows.length,
    violations,
  };
}
