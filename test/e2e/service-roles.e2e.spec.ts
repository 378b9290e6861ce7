import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { databaseServices, serviceRoleOf } from '../../lib/db/service-roles.ts';
import { orderBody, placeOrder, urls, waitForStatus } from '../support/system-under-test.ts';

/**
 * The services the harness started log into the test database as their own roles (not as its
 * owner), and with those roles a saga still runs to its end.
 */
describe('services on their own PostgreSQL roles, end to end', () => {
  const owner = new pg.Client({ connectionString: process.env.DATABASE_URL });
  after(() => owner.end());

  test('each service holds sessions as order_saga_<service> while an order completes', async () => {
    assert.ok(urls.orchestrator, 'the services run');
    const orderId = await placeOrder(orderBody({ sku: 'SKU-003', quantity: 1 }));
    assert.equal((await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED'])).status, 'COMPLETED');
    await owner.connect();
    const { rows } = await owner.query<{ role: string }>(
      `select distinct usename as role from pg_stat_activity
        where datname = current_database() and usename like 'order\\_saga\\_%' order by 1`,
    );
    assert.deepEqual(
      rows.map((row) => row.role),
      databaseServices.map(serviceRoleOf).sort(),
      'every service is connected as its own role (each keeps its outbox LISTEN session open)',
    );
  });
});
