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

/** Where the parcel is: its carrier picked it up before CancelShipping reached shipping, so it was not cancelled. */
export interface ParcelWithCarrier {
  /** Carrier that carries the parcel. */
  carrier: string;
  /** When the carrier picked the parcel up. */
  pickedUpAt: number;
  /** When the carrier delivered the parcel; null while on its way. */
  deliveredAt: number | null;
}

/** Reply from shipping to CancelShipping. */
export interface ShippingCancelled {
  /** Order id (UUID) whose shipment was cancelled; also the Kafka message key. */
  orderId: string;
  /** True when a shipment was cancelled; false when there was nothing to cancel, or when its carrier had the parcel already (then parcel is set). */
  cancelled: boolean;
  /** Set when cancelled is false because the carrier had the parcel already (the shipment's carrier and times when CancelShipping was handled); null otherwise. The same as the shipment's ShipmentPickedUp and ShipmentDelivered, which may reach the orchestrator before or after this reply. */
  parcel: ParcelWithCarrier | null;
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
