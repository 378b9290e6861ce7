// generated from schemas/ by npm run gen:types — do not edit

/** Why an order was cancelled. */
export type CancelReason =
  | 'out_of_stock'
  | 'payment_declined'
  | 'shipping_failed'
  | 'timeout'
  | 'price_changed'
  | 'customer_cancelled';

/** Lifecycle event: a saga step failed, or the customer or an operator cancelled the order, and every step that had taken effect was compensated. */
export interface OrderCancelled {
  /** Order id (UUID) that was cancelled; also the Kafka message key. */
  orderId: string;
  /** Why the order was cancelled. */
  reason: CancelReason;
}

/** Lifecycle event: every saga step succeeded; the order is complete. */
export interface OrderCompleted {
  /** Order id (UUID) that completed; also the Kafka message key. */
  orderId: string;
  /** Amount charged in minor units of currency. */
  total: number;
  /** ISO 4217 currency code of the amount, e.g. EUR. */
  currency: string;
}

/** Lifecycle event: the carrier delivered the order's parcel. */
export interface OrderDelivered {
  /** Order id (UUID) that was delivered; also the Kafka message key. */
  orderId: string;
  /** Carrier that carries the parcel. */
  carrier: string;
  /** When the carrier delivered the parcel. */
  deliveredAt: number;
}

/** Lifecycle event: a compensation could not be completed after its retries; an operator must act. */
export interface OrderFailed {
  /** Order id (UUID) that failed; also the Kafka message key. */
  orderId: string;
  /** Saga step (compensation) that could not be completed. */
  pendingStep: string;
  /** What went wrong (human-readable). */
  reason: string;
}

/** One line of an order. */
export interface OrderItem {
  /** Stock keeping unit. */
  sku: string;
  /** Units ordered (> 0). */
  quantity: number;
  /** Price of one unit the customer expects, in minor units of the order currency; null when the customer gave none (the catalog decides). */
  unitPrice: number | null;
}

/** How to reach the customer about the order. */
export interface CustomerContact {
  /** Email address the order's notifications go to. */
  email: string;
  /** Phone number in E.164 form (+ and 8 to 15 digits) for SMS notifications; null: no SMS. */
  phone: string | null;
}

/** Lifecycle event: an order was accepted and its saga started. */
export interface OrderPlaced {
  /** Order id (UUID) that was placed; also the Kafka message key. */
  orderId: string;
  /** Customer who placed the order. */
  customerId: string;
  /** Lines of the order; never empty. */
  items: OrderItem[];
  /** Order total in minor units of currency; null: unknown until inventory answers with the catalog prices (version 2). */
  total: number | null;
  /** ISO 4217 currency code of every price in the order, e.g. EUR. */
  currency: string;
  /** The customer's contact for notifications; null when the order was placed without one (version 3). */
  contact: CustomerContact | null;
}

/** Lifecycle event: the carrier picked up the completed order's parcel; the order can no longer be cancelled. */
export interface OrderShipped {
  /** Order id (UUID) that was shipped; also the Kafka message key. */
  orderId: string;
  /** Carrier that carries the parcel. */
  carrier: string;
  /** When the carrier picked the parcel up. */
  pickedUpAt: number;
}

/** Public status of an order. */
export type OrderStatus = 'pending' | 'completed' | 'cancelled' | 'failed';

/** Lifecycle event: the saga of an order moved to another state. */
export interface OrderStatusChanged {
  /** Order id (UUID) whose status changed; also the Kafka message key. */
  orderId: string;
  /** Public order status after the change. */
  status: OrderStatus;
  /** Saga state after the change. */
  sagaState: string;
  /** Saga state before the change; null for the first state. */
  previousSagaState: string | null;
}
