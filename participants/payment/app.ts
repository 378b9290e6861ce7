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
import { paymentCommands } from './payment-decisions.ts';
import { findPayment } from './payment-store.ts';

export type PaymentAppDeps = Pick<ServiceDeps, 'db' | 'logger' | 'audit'> & { auth: AuthConfig };

const paymentView = {
  type: 'object',
  required: [
    'orderId',
    'paymentId',
    'status',
    'amount',
    'currency',
    'customerId',
    'failure',
    'createdAt',
    'refundedAt',
    'ledger',
  ],
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    paymentId: { type: ['string', 'null'], description: 'Set once charged' },
    status: {
      type: 'string',
      enum: ['CHARGED', 'DECLINED', 'REFUNDED', 'VOIDED'],
      description: 'VOIDED: refund requested before any charge; the order can no longer be charged',
    },
    amount: { type: 'integer', description: 'Minor units' },
    currency: { type: ['string', 'null'] },
    customerId: { type: ['string', 'null'] },
    failure: {
      type: ['object', 'null'],
      properties: {
        reason: { type: 'string', enum: enumSymbols.PaymentFailureReason },
        message: { type: 'string' },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
    refundedAt: { type: ['string', 'null'], format: 'date-time' },
    ledger: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          kind: { type: 'string', enum: ['charge', 'refund'] },
          amount: { type: 'integer' },
          currency: { type: 'string' },
          at: { type: 'string', format: 'date-time' },
        },
      },
    },
  },
} as const;

/** Payment's HTTP app: one order's payment and ledger, and the fault switch (not listening; runService does that). */
export async function buildApp(deps: PaymentAppDeps, faults: FaultSwitch): Promise<FastifyInstance> {
  const app = await createServiceApp(deps.logger, {
    title: 'Order saga payment participant',
    description:
      'Charges and refunds orders through a simulated gateway (tok_decline is declined); shows payments and their ledger.',
    tags: ['payment', 'faults', 'audit'],
    auth: deps.auth,
  });

  app.get<{ Params: { orderId: string } }>(
    '/payments/:orderId',
    {
      config: { access: ['operator'] },
      schema: {
        tags: ['payment'],
        summary: 'The payment of an order, with its ledger entries',
        params: orderIdParams,
        response: { 200: paymentView, 400: errorResponse, 404: errorResponse },
      },
    },
    async (request, reply) => {
      const orderId = request.params.orderId.toLowerCase();
      const payment = await findPayment(deps.db, orderId);
      if (payment === null) return sendNotFound(reply, `no payment for order ${orderId}`);
      return {
        ...payment,
        createdAt: payment.createdAt.toISOString(),
        refundedAt: isoOrNull(payment.refundedAt),
        ledger: payment.ledger.map((e) => ({ ...e, at: e.at.toISOString() })),
      };
    },
  );

  registerAuditRoute(app, { db: deps.db, schema: deps.audit.schema });
  if (deps.auth.faultsEnabled)
    registerFaultRoutes(app, faults, { commands: paymentCommands, audit: deps.audit });
  return app;
}
