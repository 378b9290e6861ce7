// generated from schemas/ by npm run gen:types — do not edit

/** Carrier event from shipping (not a reply to a command): the carrier delivered the order's parcel. Always after ShipmentPickedUp for the order. Its causation id is the ScheduleShipping command's message id. */
export interface ShipmentDelivered {
  /** Order id (UUID) whose parcel was delivered; also the Kafka message key. */
  orderId: string;
  /** Id of the shipment held by the shipping service. */
  shipmentId: string;
  /** Carrier that carries the parcel. */
  carrier: string;
  /** When the carrier picked the parcel up. */
  pickedUpAt: number;
  /** When the carrier delivered the parcel (as the carrier reported it). */
  deliveredAt: number;
}

/** Carrier event from shipping (not a reply to a command): the carrier picked up the order's parcel. Its causation id is the ScheduleShipping command's message id. */
export interface ShipmentPickedUp {
  /** Order id (UUID) whose parcel was picked up; also the Kafka message key. */
  orderId: string;
  /** Id of the shipment held by the shipping service. */
  shipmentId: string;
  /** Carrier that carries the parcel. */
  carrier: string;
  /** When the carrier picked the parcel up (as the carrier reported it). */
  pickedUpAt: number;
}

/** Reply from shipping to CancelShipping. */
export interface ShippingCancelled {
  /** Order id (UUID) whose shipment was cancelled; also the Kafka message key. */
  orderId: string;
  /** True when a shipment was cancelled; false when there was nothing to cancel. */
  cancelled: boolean;
}

/** Why shipping could not be scheduled. */
export type ShippingFailureReason = 'unserved_destination' | 'fault_injected';

/** Reply from shipping: the shipment could not be scheduled; nothing is scheduled. */
export interface ShippingFailed {
  /** Order id (UUID) whose shipping failed; also the Kafka message key. */
  orderId: string;
  /** Why shipping failed. */
  reason: ShippingFailureReason;
  /** Human-readable detail. */
  message: string;
}

/** Reply from shipping: a carrier will ship the order. */
export interface ShippingScheduled {
  /** Order id (UUID) that was scheduled; also the Kafka message key. */
  orderId: string;
  /** Id of the shipment held by the shipping service. */
  shipmentId: string;
  /** Carrier that ships the order. */
  carrier: string;
}
