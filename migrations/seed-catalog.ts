/**
 * The documented catalog the inventory starts with (README lists it; GET /stock shows live levels).
 * `unitPrice` is the catalog price of one unit in minor units of `catalogCurrency`; orders are
 * charged these prices (migration 20261207_012 backfilled them into inventory.stock).
 */
export const catalogCurrency = 'EUR';

export const seedCatalog = [
  { sku: 'SKU-001', name: 'Mechanical keyboard', quantity: 1_000_000, unitPrice: 1999 },
  { sku: 'SKU-002', name: 'Wireless mouse', quantity: 1_000_000, unitPrice: 2999 },
  { sku: 'SKU-003', name: 'USB-C hub', quantity: 1_000_000, unitPrice: 2500 },
  { sku: 'SKU-004', name: '27-inch monitor', quantity: 1_000_000, unitPrice: 24_900 },
  { sku: 'SKU-005', name: 'Laptop stand', quantity: 1_000_000, unitPrice: 3499 },
  { sku: 'SKU-006', name: 'Noise-cancelling headphones', quantity: 1_000_000, unitPrice: 19_900 },
  { sku: 'SKU-007', name: 'Webcam', quantity: 1_000_000, unitPrice: 5999 },
  { sku: 'SKU-008', name: 'Desk lamp', quantity: 1_000_000, unitPrice: 3999 },
  { sku: 'SKU-LTD', name: 'Limited edition print (only 5 made)', quantity: 5, unitPrice: 4900 },
] as const;
