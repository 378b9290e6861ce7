/**
 * Pricing an order with the catalog prices inventory reserved it at. Pure.
 *
 * The order is charged the catalog total: Σ quantity × catalog unit price over its lines. The
 * prices are accepted only when every line has a catalog price in the order's currency and every
 * price the customer expected equals the catalog's; otherwise the saga cancels with
 * `price_changed` and charges nothing.
 */
import type { CatalogLine, CatalogPricing, OrderPricing } from './saga-types.ts';

export type PricingOutcome =
  | { kind: 'accepted'; catalog: CatalogPricing }
  /** `catalog` is null when some line has no catalog price in the order's currency. */
  | { kind: 'refused'; catalog: CatalogPricing | null; problem: string };

export function priceOrder(pricing: OrderPricing, lines: readonly CatalogLine[]): PricingOutcome {
  const unitPrices: Record<string, number> = {};
  for (const line of lines) {
    if (line.currency !== pricing.currency) {
      return {
        kind: 'refused',
        catalog: null,
        problem: `${line.sku} is priced in ${line.currency}, the order in ${pricing.currency}`,
      };
    }
    unitPrices[line.sku] = line.unitPrice;
  }
  let total = 0;
  let problem: string | null = null;
  for (const { sku, quantity, expectedUnitPrice } of pricing.lines) {
    const unitPrice = unitPrices[sku];
    if (unitPrice === undefined)
      return { kind: 'refused', catalog: null, problem: `${sku} has no catalog price` };
    total += quantity * unitPrice;
    if (problem === null && expectedUnitPrice !== null && expectedUnitPrice !== unitPrice)
      problem = `${sku} costs ${unitPrice}, the customer expected ${expectedUnitPrice}`;
  }
  const catalog = { total, unitPrices };
  return problem === null ? { kind: 'accepted', catalog } : { kind: 'refused', catalog, problem };
}
