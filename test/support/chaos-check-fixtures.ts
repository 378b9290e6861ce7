/** Orders as a chaos run placed them and as the database holds them, for the chaos checks' unit specs. */
import { indexOrders, type OrderRow, type StoredOrders } from '../../chaos/checks/stored-orders.ts';
import type { PlacedOrder } from '../../chaos/driver.ts';
import type { OrderKind } from '../../chaos/order-mix.ts';

/** Order #n of a run, acknowledged as `order-<n>` under key `key-<n>`, unless `overrides` say otherwise. */
export function placedOrder(n: number, kind: OrderKind, overrides: Partial<PlacedOrder> = {}): PlacedOrder {
  return {
    n,
    kind,
    key: `key-${n}`,
    body: {
      customerId: `customer-${n}`,
      items: [],
      currency: 'EUR',
      paymentToken: 'tok_visa',
      shippingAddress: { name: 'N', line1: 'L', city: 'C', postalCode: 'P', country: 'DE' },
    },
    total: 0,
    orderIds: new Set([`order-${n}`]),
    attempts: 1,
    failures: [],
    placedAt: 0,
    gaveUp: null,
    ...overrides,
  };
}

/** The stored row of order #n: COMPLETED, one unit of SKU-A at 1000, unless `overrides` say otherwise. */
export function orderRow(n: number, overrides: Partial<OrderRow> = {}): OrderRow {
  return {
    order_id: `order-${n}`,
    status: 'COMPLETED',
    cancel_reason: null,
    total: 1000,
    idempotency_key: `key-${n}`,
    state: 'completed',
    items: [{ sku: 'SKU-A', quantity: 1 }],
    ...overrides,
  };
}

export const storedOrders = (rows: readonly OrderRow[], placed: readonly PlacedOrder[] = []): StoredOrders =>
  indexOrders(rows, placed);
