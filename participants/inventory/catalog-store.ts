/**
 * Catalog prices (inventory.stock.unit_price, currency), read and written inside the caller's
 * transaction. The columns come from migration 20261207_012_catalog_prices.
 */
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';

export interface CatalogPrice {
  /** Minor units (cents). */
  unitPrice: number;
  /** ISO 4217 code. */
  currency: string;
}

/** Locks the SKU's stock row and returns its price; null when the SKU is not in the catalog. */
export async function lockPrice(unit: UnitOfWork, sku: string): Promise<CatalogPrice | null> {
  const [row] = await unit.read<{ unit_price: number; currency: string }>(
    queryBuilder('inventory.stock').select('unit_price', 'currency').where({ sku }).forUpdate(),
  );
  return row === undefined ? null : { unitPrice: row.unit_price, currency: row.currency };
}

/** Adds the price update of a SKU whose row `lockPrice` locked to the unit's write statement. */
export function setPrice(unit: UnitOfWork, sku: string, price: CatalogPrice): void {
  unit.writes.add(
    'update inventory.stock set unit_price = ?, currency = ?, updated_at = now() where sku = ?',
    [price.unitPrice, price.currency, sku],
    { rows: 1, error: (touched) => new Error(`price update of SKU ${sku} touched ${touched} rows`) },
  );
}
