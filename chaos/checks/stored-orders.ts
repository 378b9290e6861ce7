/**
 * The orders (with their saga's state) as the database holds them after quiescence, indexed the
 * ways the checks look them up: by order id, by Idempotency-Key, and the kind this run placed.
 */
import type { Knex } from 'knex';
import type { PlacedOrder } from '../driver.ts';
import type { OrderKind } from '../order-mix.ts';

export interface OrderItem {
  sku: string;
  quantity: number;
}

export interface OrderRow {
  order_id: string;
  status: string;
  cancel_reason: string | null;
  /** The catalog total once inventory priced the order; null before. */
  total: number | null;
  idempotency_key: string | null;
  state: string;
  items: OrderItem[];
}

export interface StoredOrders {
  rows: readonly OrderRow[];
  byId: ReadonlyMap<string, OrderRow>;
  byKey: ReadonlyMap<string, OrderRow>;
  /** The kind of every stored order this run placed (found by its key). */
  kindOf: ReadonlyMap<string, OrderKind>;
}

export const readOrderRows = (db: Knex): Promise<OrderRow[]> =>
  db('orders.orders as o')
    .join('orders.sagas as s', 's.order_id', 'o.order_id')
    .select(
      'o.order_id',
      'o.status',
      'o.cancel_reason',
      'o.total',
      'o.idempotency_key',
      's.state',
      'o.items',
    );

export function indexOrders(rows: readonly OrderRow[], placed: readonly PlacedOrder[]): StoredOrders {
  const byId = new Map(rows.map((o) => [o.order_id, o]));
  const byKey = new Map(
    rows.filter((o) => o.idempotency_key !== null).map((o) => [o.idempotency_key as string, o]),
  );
  const kindOf = new Map<string, OrderKind>();
  for (const p of placed) {
    const row = byKey.get(p.key);
    if (row) kindOf.set(row.order_id, p.kind);
  }
  return { rows, byId, byKey, kindOf };
}

/** The order's kind for a message, `?` when this run did not place it. */
export const kindLabel = (orders: StoredOrders, orderId: string): string => orders.kindOf.get(orderId) ?? '?';
