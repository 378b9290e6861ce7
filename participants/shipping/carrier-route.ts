import type { FastifyInstance } from 'fastify';
import { errorResponse, isoOrNull, sendNotFound } from '../../lib/http/service-app.ts';
import { carrierEventTypes } from './carrier-decisions.ts';
import { applyCarrierEvent, type CarrierEventDeps } from './carrier-events.ts';

const shipmentIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['shipmentId'],
  properties: {
    shipmentId: {
      type: 'string',
      format: 'uuid',
      description:
        "The shipment's id (ShippingScheduled's shipmentId), which the carrier knows; not the order id",
    },
  },
} as const;

const carrierEventBody = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'at'],
  properties: {
    type: { type: 'string', enum: carrierEventTypes },
    at: { type: 'string', format: 'date-time', description: 'When it happened (ISO 8601 with offset)' },
  },
} as const;

const carrierEventView = {
  type: 'object',
  required: ['shipmentId', 'orderId', 'status', 'pickedUpAt', 'deliveredAt'],
  properties: {
    shipmentId: { type: 'string', format: 'uuid' },
    orderId: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['SCHEDULED', 'PICKED_UP', 'DELIVERED', 'CANCELLED'] },
    pickedUpAt: { type: ['string', 'null'], format: 'date-time' },
    deliveredAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/**
 * `POST /shipments/:shipmentId/events` (the carrier): PICKED_UP or DELIVERED, idempotent and in
 * order (carrier-decisions.ts). 200 with the shipment as it now is (the same answer for an event it
 * already had); 409 saying why for an event out of order or on a cancelled shipment; 404 for an
 * unknown shipment id.
 */
export function registerCarrierRoute(app: FastifyInstance, deps: CarrierEventDeps): void {
  app.post<{
    Params: { shipmentId: string };
    Body: { type: (typeof carrierEventTypes)[number]; at: string };
  }>(
    '/shipments/:shipmentId/events',
    {
      config: { access: ['carrier'] },
      schema: {
        tags: ['shipping'],
        summary: 'A carrier event on a shipment: its parcel picked up, or delivered',
        params: shipmentIdParams,
        body: carrierEventBody,
        response: { 200: carrierEventView, 400: errorResponse, 404: errorResponse, 409: errorResponse },
      },
    },
    async (request, reply) => {
      const shipmentId = request.params.shipmentId.toLowerCase();
      const at = new Date(request.body.at);
      const result = await applyCarrierEvent(deps, shipmentId, { type: request.body.type, at });
      if (result.kind === 'not_found') return sendNotFound(reply, `no shipment ${shipmentId}`);
      if (result.kind === 'refused')
        return reply.code(409).send({ statusCode: 409, error: 'Conflict', message: result.reason });
      const { shipment } = result;
      return {
        shipmentId,
        orderId: shipment.orderId,
        status: shipment.status,
        pickedUpAt: isoOrNull(shipment.pickedUpAt),
        deliveredAt: isoOrNull(shipment.deliveredAt),
      };
    },
  );
}
