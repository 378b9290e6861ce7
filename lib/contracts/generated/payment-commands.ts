// generated from schemas/ by npm run gen:types — do not edit

/** Command from the orchestrator: charge the customer for an order. */
export interface ProcessPayment {
  /** Order id (UUID) being paid; also the Kafka message key. */
  orderId: string;
  /** Customer being charged. */
  customerId: string;
  /** Amount to charge in minor units of currency (e.g. cents). */
  amount: number;
  /** ISO 4217 currency code of the amount, e.g. EUR. */
  currency: string;
  /** Opaque payment method token from the client (e.g. tok_visa). */
  paymentToken: string;
}

/** Compensation from the orchestrator: refund the payment of an order. Idempotent: refunding nothing is a no-op. */
export interface RefundPayment {
  /** Order id (UUID) whose payment is refunded; also the Kafka message key. */
  orderId: string;
  /** Why the payment is refunded (human-readable, for logs and history). */
  reason: string;
}
