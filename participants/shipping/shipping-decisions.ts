/**
 * Shipping's domain decisions, pure: (command, current state) → (change to store, reply to send).
 *
 * Rules (idempotent by order id, on top of the inbox):
 * - ScheduleShipping schedules a shipment with a carrier chosen deterministically from the
 *   destination country (ShippingScheduled), unless no carrier serves that country
 *   (UNSERVED_COUNTRIES, default AQ) → ShippingFailed `unserved_destination` naming the country.
 *   The failure is recorded, so a repeat gets the same answer.
 * - CancelShipping cancels a SCHEDULED shipment (ShippingCancelled cancelled=true). With nothing
 *   scheduled it writes a VOIDED tombstone (cancelled=false): a late ScheduleShipping then cannot
 *   schedule. The contract has no reason for that, so it is answered `unserved_destination` with a
 *   message saying the order's shipping was already cancelled.
 * - CancelShipping once the carrier picked the parcel up (PICKED_UP, DELIVERED) changes nothing and
 *   answers cancelled=false (carrier events: carrier-decisions.ts).
 */
import type {
  CancelShipping,
  ScheduleShipping,
  ShipmentItem,
  ShippingAddress,
  ShippingEventsRecord,
  ShippingFailureReason,
  TypedRecord,
} from '../../lib/contracts/generated.ts';
import type { ParticipantCommands } from '../../lib/faults/fault-routes.ts';
import { carrierFor } from './carriers.ts';

export const shippingCommands = {
  forward: ['ScheduleShipping'],
  compensations: ['CancelShipping'],
} as const satisfies ParticipantCommands;

export type ShippingCommandName = 'ScheduleShipping' | 'CancelShipping';
export type ShippingCommand = TypedRecord<ShippingCommandName>;

export const isShippingCommand = (record: TypedRecord): record is ShippingCommand =>
  record.type === 'ScheduleShipping' || record.type === 'CancelShipping';

export const defaultUnservedCountries: readonly string[] = ['AQ'];

export { type Carrier, carrierFor, carriers } from './carriers.ts';

export type ShipmentStatus = 'SCHEDULED' | 'PICKED_UP' | 'DELIVERED' | 'FAILED' | 'CANCELLED' | 'VOIDED';

/** The ids of the ScheduleShipping command that scheduled a shipment. */
export interface ScheduledBy {
  messageId: string;
  correlationId: string;
}

/** The one shipment row of an order. */
export interface Shipment {
  orderId: string;
  /** Set once scheduled; null for a failure and a void tombstone. */
  shipmentId: string | null;
  status: ShipmentStatus;
  carrier: string | null;
  /** Destination country as received (upper-cased); null for a void tombstone. */
  country: string | null;
  address: ShippingAddress | null;
  items: ShipmentItem[];
  /** Why it failed (status FAILED), so a repeat gets the same answer. */
  failure: { reason: ShippingFailureReason; message: string } | null;
  /** The ScheduleShipping command that scheduled it: its carrier events' causation and correlation ids. */
  scheduledBy: ScheduledBy | null;
  /** When its carrier picked it up / delivered it (carrier-decisions.ts); null before. */
  pickedUpAt: Date | null;
  deliveredAt: Date | null;
}

export interface ShippingState {
  shipment: Shipment | null;
}

export interface ShippingDecisionOptions {
  /** Id for a new shipment (used only when one is scheduled). */
  newShipmentId: string;
  /** The command's message and correlation ids (kept with a new shipment as `scheduledBy`). */
  scheduledBy: ScheduledBy;
  /** Fault `decline` is on for this command: fail a new shipment with reason fault_injected. */
  decline: boolean;
  /** Upper-case ISO 3166-1 alpha-2 codes no carrier serves. */
  unservedCountries: ReadonlySet<string>;
}

export type ShippingChange =
  | { kind: 'none' }
  | { kind: 'schedule'; shipment: Shipment }
  | { kind: 'fail'; shipment: Shipment }
  | { kind: 'cancel'; shipment: Shipment }
  | { kind: 'void'; shipment: Shipment };

/** A reply of shipping to a command (the carrier events are no replies). */
export type ShippingReply = Exclude<ShippingEventsRecord, { type: 'ShipmentPickedUp' | 'ShipmentDelivered' }>;

export type ShippingDecision =
  | { kind: 'reply'; change: ShippingChange; reply: ShippingReply; warning: string | null }
  | { kind: 'invalid'; problem: string };

const none: ShippingChange = { kind: 'none' };
/** The carrier fields of a shipment that was never scheduled. */
const notCarried = { scheduledBy: null, pickedUpAt: null, deliveredAt: null } as const;

const scheduled = (orderId: string, shipmentId: string, carrier: string): ShippingReply => ({
  type: 'ShippingScheduled',
  payload: { orderId, shipmentId, carrier },
});
const failed = (orderId: string, reason: ShippingFailureReason, message: string): ShippingReply => ({
  type: 'ShippingFailed',
  payload: { orderId, reason, message },
});
const cancelledReply = (orderId: string, cancelled: boolean): ShippingReply => ({
  type: 'ShippingCancelled',
  payload: { orderId, cancelled, parcel: null },
});
/** Too late to cancel: the answer says where the parcel is, as the carrier events do. */
const tooLateReply = (shipment: Shipment): ShippingReply => {
  const { orderId, carrier, pickedUpAt, deliveredAt } = shipment;
  if (carrier === null || pickedUpAt === null) {
    throw new TypeError(
      `shipment of order ${orderId} is ${shipment.status} without a carrier or pickup time`,
    );
  }
  return {
    type: 'ShippingCancelled',
    payload: {
      orderId,
      cancelled: false,
      parcel: { carrier, pickedUpAt: pickedUpAt.getTime(), deliveredAt: deliveredAt?.getTime() ?? null },
    },
  };
};

export const shippingMessages = {
  unserved: (country: string) => `no carrier serves destination country ${country}`,
  invalidCountry: (country: string) =>
    `destination country '${country}' is not an ISO 3166-1 alpha-2 code; no carrier serves it`,
  faultInjected: 'shipping failed by an injected fault (POST /faults on the shipping service)',
  voided:
    "order's shipping was already voided (CancelShipping arrived before any shipment); it is not scheduled",
  tooLate: (shipmentId: string) =>
    `shipment ${shipmentId} was already picked up by its carrier; it is not cancelled`,
  cancelled: (shipmentId: string) =>
    `shipment ${shipmentId} of this order was already cancelled; it is not scheduled again`,
} as const;

export const normalizeCountry = (country: string): string => country.trim().toUpperCase();

export function decideShipping(
  command: ShippingCommand,
  state: ShippingState,
  options: ShippingDecisionOptions,
): ShippingDecision {
  switch (command.type) {
    case 'ScheduleShipping':
      return decideSchedule(command.payload, state, options);
    case 'CancelShipping':
      return decideCancel(command.payload, state);
    default: {
      const unexpected: never = command;
      throw new TypeError(`unexpected shipping command ${JSON.stringify(unexpected)}`);
    }
  }
}

function decideSchedule(
  command: ScheduleShipping,
  state: ShippingState,
  options: ShippingDecisionOptions,
): ShippingDecision {
  if (command.items.length === 0) return { kind: 'invalid', problem: 'items is empty' };
  const { orderId, address, items } = command;
  const existing = state.shipment;
  if (existing !== null) return repeatSchedule(orderId, existing);

  const country = normalizeCountry(address.country);
  const fail = (reason: ShippingFailureReason, message: string): ShippingDecision => ({
    kind: 'reply',
    change: {
      kind: 'fail',
      shipment: {
        orderId,
        shipmentId: null,
        status: 'FAILED',
        carrier: null,
        country,
        address,
        items,
        failure: { reason, message },
        ...notCarried,
      },
    },
    reply: failed(orderId, reason, message),
    warning: null,
  });
  if (options.decline) return fail('fault_injected', shippingMessages.faultInjected);
  if (!/^[A-Z]{2}$/.test(country))
    return fail('unserved_destination', shippingMessages.invalidCountry(address.country));
  if (options.unservedCountries.has(country))
    return fail('unserved_destination', shippingMessages.unserved(country));

  const shipmentId = options.newShipmentId;
  const carrier = carrierFor(country);
  return {
    kind: 'reply',
    change: {
      kind: 'schedule',
      shipment: {
        orderId,
        shipmentId,
        status: 'SCHEDULED',
        carrier,
        country,
        address,
        items,
        failure: null,
        scheduledBy: options.scheduledBy,
        pickedUpAt: null,
        deliveredAt: null,
      },
    },
    reply: scheduled(orderId, shipmentId, carrier),
    warning: null,
  };
}

/** ScheduleShipping for an order that already has a shipment row: the recorded answer, no change. */
function repeatSchedule(orderId: string, existing: Shipment): ShippingDecision {
  switch (existing.status) {
    case 'SCHEDULED':
    case 'PICKED_UP':
    case 'DELIVERED':
      if (existing.shipmentId === null || existing.carrier === null) {
        throw new TypeError(`shipment of order ${orderId} is SCHEDULED without an id or carrier`);
      }
      return {
        kind: 'reply',
        change: none,
        reply: scheduled(orderId, existing.shipmentId, existing.carrier),
        warning: null,
      };
    case 'FAILED': {
      const { reason, message } = existing.failure ?? {
        reason: 'unserved_destination',
        message: shippingMessages.unserved(existing.country ?? 'unknown'),
      };
      return { kind: 'reply', change: none, reply: failed(orderId, reason, message), warning: null };
    }
    case 'CANCELLED': {
      const message = shippingMessages.cancelled(existing.shipmentId ?? 'unknown');
      return {
        kind: 'reply',
        change: none,
        reply: failed(orderId, 'unserved_destination', message),
        warning: `ScheduleShipping after cancellation: ${message}`,
      };
    }
    case 'VOIDED':
      return {
        kind: 'reply',
        change: none,
        reply: failed(orderId, 'unserved_destination', shippingMessages.voided),
        warning: `ScheduleShipping arrived after CancelShipping (tombstone): ${shippingMessages.voided}`,
      };
    default: {
      const unexpected: never = existing.status;
      throw new TypeError(`unexpected shipment status ${String(unexpected)}`);
    }
  }
}

function decideCancel(command: CancelShipping, state: ShippingState): ShippingDecision {
  const { orderId } = command;
  const existing = state.shipment;
  if (existing === null) {
    return {
      kind: 'reply',
      change: {
        kind: 'void',
        shipment: {
          orderId,
          shipmentId: null,
          status: 'VOIDED',
          carrier: null,
          country: null,
          address: null,
          items: [],
          failure: null,
          ...notCarried,
        },
      },
      reply: cancelledReply(orderId, false),
      warning: null,
    };
  }
  switch (existing.status) {
    case 'SCHEDULED':
      return {
        kind: 'reply',
        change: { kind: 'cancel', shipment: { ...existing, status: 'CANCELLED' } },
        reply: cancelledReply(orderId, true),
        warning: null,
      };
    case 'CANCELLED':
      // Same answer as the first CancelShipping.
      return { kind: 'reply', change: none, reply: cancelledReply(orderId, true), warning: null };
    case 'PICKED_UP':
    case 'DELIVERED':
      // The carrier has the parcel: too late to cancel. The reply says where the parcel is: the
      // pickup's ShipmentPickedUp, written by another instance maybe, may reach the saga after it.
      return {
        kind: 'reply',
        change: none,
        reply: tooLateReply(existing),
        warning: `CancelShipping after the carrier's pickup: ${shippingMessages.tooLate(existing.shipmentId ?? 'unknown')}`,
      };
    case 'FAILED':
    case 'VOIDED':
      // Nothing was scheduled; the row already stops a late ScheduleShipping.
      return { kind: 'reply', change: none, reply: cancelledReply(orderId, false), warning: null };
    default: {
      const unexpected: never = existing.status;
      throw new TypeError(`unexpected shipment status ${String(unexpected)}`);
    }
  }
}
