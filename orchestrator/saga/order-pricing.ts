import type { OrderRecord } from './order-record.ts';
import type { OrderPricing, PersistedSaga } from './saga-types.ts';

/** What the saga prices an order with: its currency and lines with the customer's expected prices. */
export const pricingOf = (order: OrderRecord): OrderPricing => ({
  currency: order.currency,
  lines: order.items.map(({ sku, quantity, unitPrice }) => ({
    sku,
    quantity,
    expectedUnitPrice: unitPrice ?? null,
  })),
});

/**
 * A saga stored before sagas priced their orders (no `pricing` in its context) with the context it
 * would have: its order's lines, and — past the reservation, where that saga had accepted the
 * client's prices — those prices and the stored total as the accepted ones. Others as they are.
 */
export function withPricing(persisted: PersistedSaga, order: OrderRecord): PersistedSaga {
  const context = persisted.context as Partial<PersistedSaga['context']> & PersistedSaga['context'];
  if (context.pricing !== undefined) return persisted;
  const accepted = persisted.value !== 'reservingStock' && order.total !== null;
  const unitPrices: Record<string, number> = {};
  for (const { sku, unitPrice } of order.items) if (unitPrice !== null) unitPrices[sku] = unitPrice;
  return {
    value: persisted.value,
    context: {
      ...context,
      pricing: pricingOf(order),
      catalog: accepted && order.total !== null ? { total: order.total, unitPrices } : null,
    },
  };
}
