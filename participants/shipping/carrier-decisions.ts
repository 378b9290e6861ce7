/**
 * The carrier's events on a shipment, pure: (shipment, event) → (shipment to store, event to
 * publish) or a refusal. Shared by `POST /shipments/:shipmentId/events` and the simulated carrier.
 *
 * Rules:
 * - PICKED_UP moves a SCHEDULED shipment to PICKED_UP (ShipmentPickedUp); DELIVERED moves a
 *   PICKED_UP one to DELIVERED (ShipmentDelivered), not before its pickup time.
 * - Idempotent: an event the shipment has already had (PICKED_UP again, or on a DELIVERED one;
 *   DELIVERED again) changes nothing and answers the shipment as it is, with its first times.
 * - In order: DELIVERED before PICKED_UP is refused; so is any event on a CANCELLED shipment (the
 *   order was cancelled before the pickup: the carrier must not take the parcel).
 */
import type { ShipmentDelivered, ShipmentPickedUp } from '../../lib/contracts/generated.ts';
import type { Shipment } from './shipping-decisions.ts';

export const carrierEventTypes = ['PICKED_UP', 'DELIVERED'] as const;
export type CarrierEventType = (typeof carrierEventTypes)[number];

export interface CarrierEvent {
  type: CarrierEventType;
  /** When it happened, as the carrier says. */
  at: Date;
}

/** What a carrier event publishes on shipping-events (through shipping's outbox). */
export type CarrierRecord =
  | { type: 'ShipmentPickedUp'; payload: ShipmentPickedUp }
  | { type: 'ShipmentDelivered'; payload: ShipmentDelivered };

export type CarrierDecision =
  /** The shipment moves on: store it and publish `record`, in one transaction. */
  | { kind: 'advance'; shipment: Shipment; record: CarrierRecord }
  /** The shipment had this event already: nothing changes (same answer as the first time). */
  | { kind: 'repeat'; shipment: Shipment }
  /** Out of order, or the shipment cannot take it: `reason` says why (HTTP 409). */
  | { kind: 'refused'; shipment: Shipment; reason: string };

export const carrierMessages = {
  cancelled: (shipmentId: string, event: CarrierEventType) =>
    `shipment ${shipmentId} was cancelled (its order was cancelled before pickup); ${event} is refused`,
  notPickedUp: (shipmentId: string) =>
    `shipment ${shipmentId} has not been picked up: DELIVERED needs PICKED_UP first`,
  beforePickup: (shipmentId: string, pickedUpAt: Date) =>
    `DELIVERED at a time before shipment ${shipmentId}'s pickup (${pickedUpAt.toISOString()})`,
  notScheduled: (status: string) => `the shipment is ${status}: no carrier has it`,
} as const;

export function decideCarrierEvent(shipment: Shipment, event: CarrierEvent): CarrierDecision {
  const { shipmentId, carrier } = shipment;
  if (shipmentId === null || carrier === null)
    return { kind: 'refused', shipment, reason: carrierMessages.notScheduled(shipment.status) };
  const refuse = (reason: string): CarrierDecision => ({ kind: 'refused', shipment, reason });
  switch (shipment.status) {
    case 'CANCELLED':
      return refuse(carrierMessages.cancelled(shipmentId, event.type));
    case 'FAILED':
    case 'VOIDED':
      return refuse(carrierMessages.notScheduled(shipment.status));
    case 'DELIVERED':
      return { kind: 'repeat', shipment };
    case 'SCHEDULED':
      if (event.type === 'DELIVERED') return refuse(carrierMessages.notPickedUp(shipmentId));
      return {
        kind: 'advance',
        shipment: { ...shipment, status: 'PICKED_UP', pickedUpAt: event.at },
        record: {
          type: 'ShipmentPickedUp',
          payload: { orderId: shipment.orderId, shipmentId, carrier, pickedUpAt: event.at.getTime() },
        },
      };
    case 'PICKED_UP': {
      if (event.type === 'PICKED_UP') return { kind: 'repeat', shipment };
      const pickedUpAt = shipment.pickedUpAt ?? event.at;
      if (event.at < pickedUpAt) return refuse(carrierMessages.beforePickup(shipmentId, pickedUpAt));
      return {
        kind: 'advance',
        shipment: { ...shipment, status: 'DELIVERED', pickedUpAt, deliveredAt: event.at },
        record: {
          type: 'ShipmentDelivered',
          payload: {
            orderId: shipment.orderId,
            shipmentId,
            carrier,
            pickedUpAt: pickedUpAt.getTime(),
            deliveredAt: event.at.getTime(),
          },
        },
      };
    }
    default: {
      const unexpected: never = shipment.status;
      throw new TypeError(`unexpected shipment status ${String(unexpected)}`);
    }
  }
}
