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
import type { CarrierEventDeps } from './carrier-events.ts';
import { registerCarrierRoute } from './carrier-route.ts';
import { shippingCommands } from './shipping-decisions.ts';
import { findShipment } from './shipping-store.ts';

export type ShippingAppDeps = ParticipantAppDeps & CarrierEventDeps;

const shipmentView = {
  type: 'object',
  required: ['orderId', 'shipmentId', 'status', 'carrier', 'country', 'failure', 'createdAt', 'cancelledAt'],
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    shipmentId: { type: ['string', 'null'], description: 'Set once scheduled' },
    status: {
      type: 'string',
      enum: ['SCHEDULED', 'PICKED_UP', 'DELIVERED', 'FAILED', 'CANCELLED', 'VOIDED'],
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
    failure: failureSchema(enumSymbols.ShippingFailureReason),
    createdAt: { type: 'string', format: 'date-time' },
    cancelledAt: { type: ['string', 'null'], format: 'date-time' },
    pickedUpAt: { type: ['string', 'null'], format: 'date-time' },
    deliveredAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** Shipping's HTTP app: one order's shipment, and the fault switch (not listening; runService does that). */
export const buildApp = (deps: ShippingAppDeps, faults: FaultSwitch): Promise<FastifyInstance> =>
  buildParticipantApp(deps, faults, {
    name: 'shipping',
    description:
      "Schedules and cancels shipments (a carrier per destination country; unserved countries fail); takes the carrier's pickup and delivery events; shows shipments.",
    commands: shippingCommands,
    routes: (app) => {
      registerCarrierRoute(app, deps);
      registerOrderRecordRoute(app, {
        path: '/shipments',
        tag: 'shipping',
        summary: 'The shipment of an order',
        what: 'shipment',
        schema: shipmentView,
        find: (orderId) => findShipment(deps.db, orderId),
        view: ({ scheduledBy: _scheduledBy, ...shipment }) => ({
          ...shipment,
          createdAt: shipment.createdAt.toISOString(),
          cancelledAt: isoOrNull(shipment.cancelledAt),
          pickedUpAt: isoOrNull(shipment.pickedUpAt),
          deliveredAt: isoOrNull(shipment.deliveredAt),
        }),
      });
    },
  });
