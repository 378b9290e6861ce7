import type { FastifyInstance } from 'fastify';
import { enumSymbols } from '../../lib/contracts/generated.ts';
import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import { isoOrNull } from '../../lib/http/service-app.ts';
import {
  buildParticipantApp,
  failureSchema,
  type ParticipantAppDeps,
  registerOrderRecordRoute,
} from '../common/participant-app.ts';
import { paymentCommands } from './payment-decisions.ts';
import { findPayment } from './payment-store.ts';

export type PaymentAppDeps = ParticipantAppDeps;

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
    failure: failureSchema(enumSymbols.PaymentFailureReason),
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
export const buildApp = (deps: PaymentAppDeps, faults: FaultSwitch): Promise<FastifyInstance> =>
  buildParticipantApp(deps, faults, {
    name: 'payment',
    description:
      'Charges and refunds orders through a simulated gateway (tok_decline is declined); shows payments and their ledger.',
    commands: paymentCommands,
    routes: (app) =>
      registerOrderRecordRoute(app, {
        path: '/payments',
        tag: 'payment',
        summary: 'The payment of an order, with its ledger entries',
        what: 'payment',
        schema: paymentView,
        find: (orderId) => findPayment(deps.db, orderId),
        view: (payment) => ({
          ...payment,
          createdAt: payment.createdAt.toISOString(),
          refundedAt: isoOrNull(payment.refundedAt),
          ledger: payment.ledger.map((e) => ({ ...e, at: e.at.toISOString() })),
        }),
      }),
  });
