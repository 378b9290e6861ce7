/**
 * Invariants 4 and 5a, about what the services left behind: every outbox drained, and one
 * reservation, payment and shipment per order (one ledger row per kind) matching the order's outcome.
 */
import type { Knex } from 'knex';
import type { CheckResult } from './check-result.ts';
import type { StoredOrders } from './stored-orders.ts';

const schemas = ['orders', 'inventory', 'payment', 'shipping'] as const;
const effectTables = ['inventory.reservations', 'payment.payments', 'shipping.shipments'] as const;

/** Rows still in each schema's outbox, in `schemas` order. */
export async function readOutboxRows(db: Knex): Promise<Array<{ schema: string; rows: number }>> {
  const counts: Array<{ schema: string; rows: number }> = [];
  for (const schema of schemas) {
    const [row] = await db(`${schema}.outbox`).count<Array<{ count: string }>>('* as count');
    counts.push({ schema, rows: Number(row?.count ?? 0) });
  }
  return counts;
}

/** 4: every outbox drained. */
export function outboxCheck(outboxes: ReadonlyArray<{ schema: string; rows: number }>): CheckResult {
  const violations = outboxes
    .filter(({ rows }) => rows > 0)
    .map(({ schema, rows }) => `${schema}.outbox still holds ${rows} rows`);
  return { id: '4', invariant: 'every outbox drained', checked: outboxes.length, violations };
}

export interface EffectFacts {
  /** Orders with more than one row in one of `effectTables`. */
  duplicates: ReadonlyArray<{ table: string; order_id: string; n: number }>;
  /** Orders with more than one ledger row of one kind. */
  ledgerDuplicates: ReadonlyArray<{ order_id: string; kind: string; n: number }>;
  shipmentOf: ReadonlyMap<string, string>;
  paymentOf: ReadonlyMap<string, string>;
}

export async function readEffectFacts(db: Knex): Promise<EffectFacts> {
  const duplicates: Array<{ table: string; order_id: string; n: number }> = [];
  for (const table of effectTables) {
    const result: { rows: Array<{ order_id: string; n: number }> } = await db.raw(
      `select order_id, count(*)::int as n from ${table} group by 1 having count(*) > 1`,
    );
    for (const row of result.rows) duplicates.push({ table, ...row });
  }
  const ledger: { rows: Array<{ order_id: string; kind: string; n: number }> } = await db.raw(
    `select order_id, kind, count(*)::int as n from payment.ledger group by 1, 2 having count(*) > 1`,
  );
  const statusOf = async (table: string) => {
    const rows: Array<{ order_id: string; status: string }> = await db(table).select('order_id', 'status');
    return new Map(rows.map((r) => [r.order_id, r.status]));
  };
  const shipmentOf = await statusOf('shipping.shipments');
  const paymentOf = await statusOf('payment.payments');
  return { duplicates, ledgerDuplicates: ledger.rows, shipmentOf, paymentOf };
}

/** The shipment status of a COMPLETED order in each of its saga states. */
const shipmentOfState: Readonly<Record<string, string>> = {
  completed: 'SCHEDULED',
  shipped: 'PICKED_UP',
  delivered: 'DELIVERED',
};

/**
 * 5a: one effect row per order in every participant; shipment and payment match the outcome (a
 * COMPLETED order's shipment is where its saga says the parcel is; a CANCELLED one's no carrier has).
 */
export function effectsCheck(orders: StoredOrders, facts: EffectFacts): CheckResult {
  const violations: string[] = facts.duplicates.map((d) => `${d.table}: ${d.n} rows for order ${d.order_id}`);
  for (const d of facts.ledgerDuplicates)
    violations.push(`payment.ledger: ${d.n} ${d.kind} rows for order ${d.order_id}`);
  for (const o of orders.rows) {
    const shipment = facts.shipmentOf.get(o.order_id);
    const payment = facts.paymentOf.get(o.order_id);
    if (o.status === 'COMPLETED') {
      const want = shipmentOfState[o.state] ?? 'SCHEDULED';
      if (shipment !== want)
        violations.push(
          `COMPLETED order ${o.order_id} (${o.state}) has shipment ${shipment ?? 'none'}, not ${want}`,
        );
      if (payment !== 'CHARGED')
        violations.push(`COMPLETED order ${o.order_id} has payment ${payment ?? 'none'}`);
    } else if (o.status === 'CANCELLED') {
      if (shipment === 'SCHEDULED')
        violations.push(`CANCELLED order ${o.order_id} still has a SCHEDULED shipment`);
      if (shipment === 'PICKED_UP' || shipment === 'DELIVERED')
        violations.push(`CANCELLED order ${o.order_id} has a shipment its carrier has (${shipment})`);
      if (payment === 'CHARGED') violations.push(`CANCELLED order ${o.order_id} still has a CHARGED payment`);
    }
  }
  return {
    id: '5a',
    invariant: 'one reservation/payment/shipment per order, matching outcome',
    checked: orders.rows.length,
    violations,
  };
}
