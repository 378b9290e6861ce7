import type { Knex } from 'knex';
import * as orders from './20261122_001_orders.ts';
import * as inventory from './20261122_002_inventory.ts';
import * as payment from './20261122_003_payment.ts';
import * as shipping from './20261122_004_shipping.ts';
import * as historyWithoutOrderFk from './20261201_005_history_without_order_fk.ts';
import * as fewerHotPathIndexes from './20261201_006_fewer_hot_path_indexes.ts';
import * as writeBatchGuard from './20261201_007_write_batch_guard.ts';
import * as sagasInFlight from './20261202_008_sagas_in_flight.ts';
import * as outboxHeadersJson from './20261203_009_outbox_headers_json.ts';
import * as ordersByCustomer from './20261207_010_orders_by_customer.ts';
import * as audit from './20261207_011_audit.ts';
import * as catalogPrices from './20261207_012_catalog_prices.ts';
import * as serviceRoles from './20261207_013_service_roles.ts';
import * as orderContact from './20261207_014_order_contact.ts';
import * as notifications from './20261207_015_notifications.ts';
import * as pruningGrants from './20261207_016_pruning_grants.ts';
import * as deliveryStages from './20261207_017_delivery_stages.ts';
import * as sagaParked from './20261207_018_saga_parked.ts';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** Every migration, in order. Listed statically so knex needs no file-system loader for TypeScript. */
const migrations: ReadonlyArray<readonly [string, Migration]> = [
  ['20261122_001_orders', orders],
  ['20261122_002_inventory', inventory],
  ['20261122_003_payment', payment],
  ['20261122_004_shipping', shipping],
  ['20261201_005_history_without_order_fk', historyWithoutOrderFk],
  ['20261201_006_fewer_hot_path_indexes', fewerHotPathIndexes],
  ['20261201_007_write_batch_guard', writeBatchGuard],
  ['20261202_008_sagas_in_flight', sagasInFlight],
  ['20261203_009_outbox_headers_json', outboxHeadersJson],
  ['20261207_010_orders_by_customer', ordersByCustomer],
  ['20261207_011_audit', audit],
  ['20261207_012_catalog_prices', catalogPrices],
  ['20261207_013_service_roles', serviceRoles],
  ['20261207_014_order_contact', orderContact],
  ['20261207_015_notifications', notifications],
  ['20261207_016_pruning_grants', pruningGrants],
  ['20261207_017_delivery_stages', deliveryStages],
  ['20261207_018_saga_parked', sagaParked],
];

export const migrationSource: Knex.MigrationSource<readonly [string, Migration]> = {
  getMigrations: async () => [...migrations],
  getMigrationName: ([name]) => name,
  getMigration: async ([, migration]) => migration,
};
