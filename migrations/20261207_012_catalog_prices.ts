import type { Knex } from 'knex';

/**
 * TEMPORARY, branch `audit` only: a stand-in for the catalog-prices engineer's migration of the same
 * name, so that `PUT /stock/:sku/price` can be built and tested now. At merge, keep THEIR version of
 * this file (same columns: inventory.stock.unit_price bigint not null, currency text not null).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table inventory.stock
      add column unit_price bigint not null default 0 check (unit_price >= 0),
      add column currency text not null default 'EUR'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table inventory.stock drop column unit_price, drop column currency');
}
