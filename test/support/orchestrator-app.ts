/** The orchestrator's HTTP app on a throwaway database, for route tests that drive its sagas by hand. */
import type { FastifyInstance } from 'fastify';
import type { UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import { timeOrderedIds } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import { buildOrchestratorApp } from '../../orchestrator/http/app.ts';
import { OrderService } from '../../orchestrator/orders/order-service.ts';
import type { SagaRunner } from '../../orchestrator/runner/saga-runner.ts';
import { jsonAuditTrail } from './json-audit-trail.ts';
import type { ThrowawayDatabase } from './throwaway-database.ts';
import { testAuthConfig } from './tokens.ts';

/** The app, ready, its order service on `runner` and `units` (default: the database's own). */
export async function orchestratorAppOn(
  database: ThrowawayDatabase,
  runner: SagaRunner,
  logger: Logger,
  units: UnitOfWorkRunner = database.units,
): Promise<FastifyInstance> {
  const app = await buildOrchestratorApp({
    db: database.db,
    logger,
    auth: testAuthConfig(),
    orders: new OrderService({
      db: database.db,
      units,
      runner,
      audit: jsonAuditTrail('orchestrator', 'orders', units),
      newId: timeOrderedIds(),
      clock: () => new Date(),
    }),
  });
  await app.ready();
  return app;
}

/** The orchestrator's audit rows of one order, oldest first. */
export const auditRowsOf = (database: ThrowawayDatabase, orderId: string) =>
  database
    .db('orders.audit')
    .where({ target: `order:${orderId}` })
    .orderBy('at')
    .select('*');
