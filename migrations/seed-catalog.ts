/** The documented catalog the inventory starts with (README lists it; GET /stock shows live levels). */
export const seedCatalog = [
  { sku: 'SKU-001', name: 'Mechanical keyboard', quantity: 1_000_000 },
  { sku: 'SKU-002', name: 'Wireless mouse', quantity: 1_000_000 },
  { sku: 'SKU-003', name: 'USB-C hub', quantity: 1_000_000 },
  { sku: 'SKU-004', name: '27-inch monitor', quantity: 1_000_000 },
  { sku: 'SKU-005', name: 'Laptop stand', quantity: 1_000_000 },
  { sku: 'SKU-006', name: 'Noise-cancelling headphones', quantity: 1_000_000 },
  { sku: 'SKU-007', name: 'Webcam', quantity: 1_000_000 },
  { sku: 'SKU-008', name: 'Desk lamp', quantity: 1_000_000 },
  { sku: 'SKU-LTD', name: 'Limited edition print (only 5 made)', quantity: 5 },
] as const;
