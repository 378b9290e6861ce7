import type { FastifyInstance } from 'fastify';
import { registerAuditRoute } from '../../lib/audit/audit-route.ts';
import type { AuthConfig } from '../../lib/config/auth-config.ts';
import { enumSymbols } from '../../lib/contracts/generated.ts';
import { registerFaultRoutes } from '../../lib/faults/fault-routes.ts';
import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import {
  createServiceApp,
  errorResponse,
  isoOrNull,
  orderIdParams,
  sendNotFound,
} from '../../lib/http/service-app.ts';
import type { ServiceDeps } from '../../lib/service/run-service.ts';
import { shippingCommands } from './shipping-decisions.ts';
import { findShipment } from './shipping-store.ts';

export type ShippingAppDeps = Pick<ServiceDeps, 'db' | 'logger' | 'audit'> & { auth: AuthConfig };

const shipmentView = {
  type: 'object',
  required: ['orderId', 'shipmentId', 'status', 'carrier', 'country', 'failure', 'createdAt', 'cancelledAt'],
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    shipmentId: { type: ['string', 'null'], description: 'Set once scheduled' },
    status: {
      type: 'string',
      enum: ['SCHEDULED', 'FAILED', 'CANCELLED', 'VOIDED'],
      description: 'VOIDED: cancellation requested before any shipment; the order can no longer be scheduled',
    },
    carrier: { type: ['string', 'null'] },
    country: { type: ['string', 'null'] },
    address: {
      type: ['object', 'null'],
      properties: {
        name: { type: 'string' },
        line1: { type: 'string' },
        line2: { type: ['string', 'null'] },
        city: { type: 'string' },
        postalCode: { type: 'string' },
        country: { type: 'string' },
      },
    },
    items: {
      type: 'array',
      items: { type: 'object', properties: { sku: { type: 'string' }, quantity: { type: 'integer' } } },
    },
    failure: {
      type: ['object', 'null'],
      properties: {
        reason: { type: 'string', enum: enumSymbols.ShippingFailureReason },
        message: { type: 'string' },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    cancelledAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** Shipping's HTTP app: one order's shipment, and the fault switch (not listening; runService does that). */
export async function buildApp(deps: ShippingAppDeps, faults: FaultSwitch): Promise<FastifyInstance> {
  const app = await createServiceApp(deps.logger, {
    title: 'Order saga shipping participant',
    description:
      'Schedules and cancels shipments (a carrier per destination country; unserved countries fail); shows shipments.',
    tags: ['shipping', 'faults', 'audit'],
    auth: deps.auth,
  });

  app.get<{ Params: { orderId: string } }>(
    '/shipments/:orderId',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['shipping'],
        summary: 'The shipment of an order',
        params: orderIdParams,
        response: { 200: shipmentView, 400: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const orderId = request.params.orderId.toLowerCase();
      const shipment = await findShipment(deps.db, orderId);
      if (shipment === null) return sendNotFound(reply, `no shipment for order ${orderId}`);
      return {
        ...shipment,
        createdAt: shipment.createdAt.toISOString(),
        cancelledAt: isoOrNull(shipment.cancelledAt),
      };
    },
  );

  registerAuditRoute(app, { db: deps.db, schema: deps.audit.schema });
  if (deps.auth.faultsEnabled)
    registerFaultRoutes(app, faults, { commands: shippingCommands, audit: deps.audit });
  return app;
}
