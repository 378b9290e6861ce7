import type { OrderRecord } from './order-record.ts';
import type { CatalogPricing, OrderPricing, PersistedSaga, StoredSaga } from './saga-types.ts';
import { sagaSnapshotVersion } from './snapshot-version.ts';

/** What the saga prices an order with: its currency and lines with the customer's expected prices. */
export const pricingOf = (order: OrderRecord): OrderPricing => ({
  currency: order.currency,
  lines: order.items.map(({ sku, quantity, unitPrice }) => ({
    sku,
    quantity,
    expectedUnitPrice: unitPrice ?? null,
  })),
});

/** A stored saga whose context is whole (the saga cache's, or a row written with its pricing). */
const isWhole = (saga: StoredSaga): saga is PersistedSaga =>
  saga.context.pricing !== undefined && saga.context.catalog !== undefined;

/**
 * The persisted saga of a stored one: its pricing is its order's (rows do not repeat the order's
 * lines). A saga stored before sagas priced their orders has no `catalog` either: past the
 * reservation, where that saga had accepted the client's prices, it gets those prices and the
 * stored total as the accepted ones; before it, none (the catalog decides). A whole one as it is.
 */
export function withPricing(stored: StoredSaga, order: OrderRecord): PersistedSaga {
  if (isWhole(stored)) return stored;
  const { context } = stored;
  return {
    value: stored.value,
    context: {
      ...context,
      pricing: pricingOf(order),
      catalog: context.catalog !== undefined ? context.catalog : acceptedBefore(stored.value, order),
    },
  };
}

function acceptedBefore(value: StoredSaga['value'], order: OrderRecord): CatalogPricing | null {
  if (value === 'reservingStock' || order.total === null) return null;
  const unitPrices: Record<string, number> = {};
  for (const { sku, unitPrice } of order.items) if (unitPrice !== null) unitPrices[sku] = unitPrice;
  return { total: order.total, unitPrices };
}

/**
 * The JSON a saga's row stores: its version (snapshot-version.ts), its state and every field of its
 * context but `pricing` (a third of the snapshot, written with every step, and already in the orders row). A field added to the context must be
 * added here: the stored type requires it.
 */
export function storedSagaJson({ value, context }: PersistedSaga): string {
  const stored: StoredSaga = {
    v: sagaSnapshotVersion,
    value,
    context: {
      orderId: context.orderId,
      retryPolicy: context.retryPolicy,
      attempt: context.attempt,
      round: context.round,
      cancelReason: context.cancelReason,
      failure: context.failure,
      catalog: context.catalog,
      // Only once the carrier has the parcel: the sagas before it store no extra field.
      ...(context.fulfilment ? { fulfilment: context.fulfilment } : {}),
    },
  };
  return JSON.stringify(stored);
}
