/** Fixtures for the runner's integration tests: orders, runners with a JSON outbox, two "instances". */
import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { createDatabase, type Knex } from '../../lib/db/database.ts';
import { jsonOutbox } from '../../test/support/json-outbox.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../../test/support/throwaway-database.ts';
import type { OrderRecord } from './order-record.ts';
import type { DeadlinePolicy } from './saga-effects.ts';
import { SagaRunner } from './saga-runner.ts';

export const newOrderRecord = (): OrderRecord => ({
  orderId: randomUUID(),
  customerId: 'c-it',
  items: [{ sku: 'SKU-001', quantity: 1, unitPrice: 500 }],
  total: 500,
  currency: 'EUR',
  paymentToken: 'tok_visa',
  shippingAddress: { name: 'A', line1: 'l', line2: null, city: 'c', postalCode: 'p', country: 'DE' },
  correlationId: randomUUID(),
});

export const testRunner = ({
  clock = () => new Date(),
  deadlinePolicy,
}: {
  clock?: () => Date;
  deadlinePolicy: DeadlinePolicy;
}) =>
  new SagaRunner({
    outbox: jsonOutbox('orders'),
    clock,
    newId: randomUUID,
    random: () => 0,
    retryPolicy: { forwardAttempts: 3, compensationAttempts: 3 },
    deadlinePolicy,
  });

/**
 * A throwaway migrated database and a second connection pool on it (a second orchestrator instance),
 * created before the suite's tests and removed after them.
 */
export function twoInstancesOnOneDatabase(): {
  readonly database: ThrowawayDatabase;
  readonly secondPool: Knex;
} {
  const handles = {} as { database: ThrowawayDatabase; secondPool: Knex };
  before(async () => {
    handles.database = await createThrowawayDatabase();
    handles.secondPool = createDatabase(handles.database.url, { poolMax: 5 });
  });
  after(async () => {
    await handles.secondPool.destroy();
    await handles.database.drop();
  });
  return handles;
}
