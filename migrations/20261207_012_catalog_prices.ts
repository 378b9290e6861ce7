import type { Knex } from 'knex';
import { catalogCurrency, seedCatalog } from './seed-catalog.ts';

/**
 * Prices come from the catalog: `inventory.stock` gains `unit_price` (minor units) and `currency`,
 * backfilled from the seed catalog; `orders.orders.total` becomes nullable (unknown until inventory
 * answers with the catalog prices). A stock row the seed does not price stops the migration.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('alter table inventory.stock add column unit_price bigint, add column currency text');
  await knex.raw(
    `update inventory.stock s set unit_price = c.unit_price, currency = ?
       from jsonb_to_recordset(?::jsonb) as c(sku text, unit_price bigint)
      where s.sku = c.sku`,
    [catalogCurrency, JSON.stringify(seedCatalog.map((s) => ({ sku: s.sku, unit_price: s.unitPrice })))],
  );
  const unpriced: Array<{ sku: string }> = await knex('inventory.stock')
    .whereNull('unit_price')
    .select('sku');
  if (unpriced.length > 0) {
    throw new Error(
      `inventory.stock has SKUs without a catalog price (${unpriced.map((r) => r.sku).join(', ')}): price them in migrations/seed-catalog.ts`,
    );
  }
  await knex.raw(
    `alter table inventory.stock
       alter column unit_price set not null,
       alter column currency set not null,
       add constraint stock_unit_price_non_negative check (unit_price >= 0),
       add constraint stock_currency_iso check (currency ~ '^[A-Z]{3}$')`,
  );
  await knex.raw('alter table orders.orders alter column total drop not null');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('update orders.orders set total = 0 where total is null');
  await knex.raw('alter table orders.orders alter column total set not null');
  await knex.raw('alter table inventory.stock drop column unit_price, drop column currency');
}
