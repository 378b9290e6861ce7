// generated from schemas/ by npm run gen:types — do not edit

/** Compensation from the orchestrator: cancel the shipment of an order. Idempotent: cancelling nothing is a no-op. */
export interface CancelShipping {
  /** Order id (UUID) whose shipment is cancelled; also the Kafka message key. */
  orderId: string;
  /** Why the shipment is cancelled (human-readable, for logs and history). */
  reason: string;
}

/** Where the shipment goes. */
export interface ShippingAddress {
  /** Recipient name. */
  name: string;
  /** First address line. */
  line1: string;
  /** Second address line, null when absent. */
  line2: string | null;
  /** City. */
  city: string;
  /** Postal code. */
  postalCode: string;
  /** ISO 3166-1 alpha-2 country code, e.g. DE. */
  country: string;
}

/** One line of a shipment. */
export interface ShipmentItem {
  /** Stock keeping unit. */
  sku: string;
  /** Units to ship (> 0). */
  quantity: number;
}

/** Command from the orchestrator: schedule the shipment of an order. */
export interface ScheduleShipping {
  /** Order id (UUID) to ship; also the Kafka message key. */
  orderId: string;
  /** Destination of the shipment. */
  address: ShippingAddress;
  /** Lines to ship; never empty. */
  items: ShipmentItem[];
}
