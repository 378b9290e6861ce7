/**
 * Invariant 3, the payment ledger: at most one charge and one refund per order; charges − refunds
 * equal the order's total if it COMPLETED, else 0; and that total is the catalog's
 * (Σ quantity × inventory.stock.unit_price: a chaos run changes no price). A FAILED saga (a
 * compensation that could not finish) may hold its charge, whole: charges − refunds is 0 or its
 * catalog total, never a part of it or less than nothing.
 */
import type { Knex } from 'knex';
import type { CheckResult } from './check-result.ts';
import { kindLabel, type OrderRow, type StoredOrders } from './stored-orders.ts';

/** One order's ledger rows, summed (amounts as PostgreSQL returns a bigint: a string). */
export interface LedgerSums {
  order_id: string;
  charges: number;
  refunds: number;
  charged: number | string;
  refunded: number | string;
}

export interface LedgerFacts {
  /** unit price per SKU */
  prices: ReadonlyMap<string, number>;
  ledger: readonly LedgerSums[];
}

export async function readLedgerFacts(db: Knex): Promise<LedgerFacts> {
  const stock: Array<{ sku: string; unit_price: number }> = await db('inventory.stock').select(
    'sku',
    'unit_price',
  );
  const prices = new Map(stock.map((r) => [r.sku, Number(r.unit_price)]));
  const result: { rows: LedgerSums[] } = await db.raw(`
    select order_id,
           count(*) filter (where kind = 'charge')::int as charges,
           count(*) filter (where kind = 'refund')::int as refunds,
           coalesce(sum(amount) filter (where kind = 'charge'), 0)::bigint as charged,
           coalesce(sum(amount) filter (where kind = 'refund'), 0)::bigint as refunded
      from payment.ledger group by order_id`);
  return { prices, ledger: result.rows };
}

export function ledgerCheck(orders: StoredOrders, { prices, ledger }: LedgerFacts): CheckResult {
  const catalogTotalOf = (o: OrderRow): number =>
    o.items.reduce((sum, { sku, quantity }) => sum + quantity * (prices.get(sku) ?? Number.NaN), 0);
  const byOrder = new Map(ledger.map((l) => [l.order_id, l]));
  const violations: string[] = [];
  for (const o of orders.rows) {
    const l = byOrder.get(o.order_id);
    const net = l ? Number(l.charged) - Number(l.refunded) : 0;
    if (l && l.charges > 1) violations.push(`order ${o.order_id}: ${l.charges} charges`);
    if (l && l.refunds > 1) violations.push(`order ${o.order_id}: ${l.refunds} refunds`);
    if (o.status === 'FAILED') {
      if (net !== 0 && net !== catalogTotalOf(o))
        violations.push(
          `FAILED order ${o.order_id} (${kindLabel(orders, o.order_id)}): charged ${l?.charged ?? 0} − refunded ${l?.refunded ?? 0} = ${net}, expected 0 or the catalog total ${catalogTotalOf(o)}`,
        );
      continue;
    }
    if (o.status === 'COMPLETED' && Number(o.total) !== catalogTotalOf(o))
      violations.push(`COMPLETED order ${o.order_id}: total ${o.total}, catalog total ${catalogTotalOf(o)}`);
    const want = o.status === 'COMPLETED' ? Number(o.total) : 0;
    if (net !== want)
      violations.push(
        `${o.status} order ${o.order_id} (${kindLabel(orders, o.order_id)}): charged ${l?.charged ?? 0} − refunded ${l?.refunded ?? 0} = ${net}, expected ${want}`,
      );
  }
  for (const l of ledger)
    if (!orders.byId.has(l.order_id)) violations.push(`ledger rows for unknown order ${l.order_id}`);
  return {
    id: '3',
    invariant: 'ledger: ≤1 charge; charges − refunds = catalog total if COMPLETED, 0 or it if FAILED, else 0',
    checked: orders.rows.length,
    violations,
  };
}
