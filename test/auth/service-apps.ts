/** The four services' real HTTP apps (their buildApp) on one throwaway database, for auth specs. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AuthConfig } from '../../lib/config/auth-config.ts';
import { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { registerHealthRoutes } from '../../lib/http/health.ts';
import { createLogger } from '../../lib/logger.ts';
import { serveMetrics } from '../../lib/metrics/http-metrics.ts';
import { createMetricsRegistry } from '../../lib/metrics/registry.ts';
import { buildOrchestratorApp } from '../../orchestrator/http/app.ts';
import { OrderService } from '../../orchestrator/orders/order-service.ts';
import { buildApp as buildInventoryApp } from '../../participants/inventory/app.ts';
import { buildApp as buildNotificationsApp } from '../../participants/notifications/app.ts';
import { buildApp as buildPaymentApp } from '../../participants/payment/app.ts';
import { buildApp as buildShippingApp } from '../../participants/shipping/app.ts';
import { jsonAuditTrail } from '../support/json-audit-trail.ts';
import { jsonOutbox } from '../support/json-outbox.ts';
import { runnerWithLongDeadlines } from '../support/saga-fixtures.ts';
import type { ThrowawayDatabase } from '../support/throwaway-database.ts';

export type ServiceName = 'orchestrator' | 'inventory' | 'payment' | 'shipping' | 'notifications';
export const serviceNames: readonly ServiceName[] = [
  'orchestrator',
  'inventory',
  'payment',
  'shipping',
  'notifications',
];

const logger = createLogger('auth-it', 'silent');

/** One service's app as runService builds it (health routes and GET /metrics included), ready for inject(). */
export async function buildServiceApp(
  name: ServiceName,
  database: ThrowawayDatabase,
  auth: AuthConfig,
): Promise<FastifyInstance> {
  const { db, units } = database;
  const app =
    name === 'orchestrator'
      ? await buildOrchestratorApp({
          db,
          logger,
          auth,
          orders: new OrderService({
            db,
            units,
            runner: runnerWithLongDeadlines(),
            audit: jsonAuditTrail('orchestrator', 'orders', units),
            newId: randomUUID,
            clock: () => new Date(),
          }),
        })
      : name === 'notifications'
        ? await buildNotificationsApp({ db, logger, auth })
        : await { inventory: buildInventoryApp, payment: buildPaymentApp, shipping: buildShippingApp }[name](
            {
              db,
              logger,
              auth,
              units,
              audit: jsonAuditTrail(name, name, units),
              outbox: jsonOutbox(name),
              newId: randomUUID,
            },
            new FaultSwitch(),
          );
  registerHealthRoutes(app, { database: () => true });
  serveMetrics(app, createMetricsRegistry());
  await app.ready();
  return app;
}
