// generated from schemas/ by npm run gen:types — do not edit

/** Why a payment failed. */
export type PaymentFailureReason = 'declined' | 'fault_injected';

/** Reply from payment: the charge failed; nothing was charged. */
export interface PaymentFailed {
  /** Order id (UUID) whose payment failed; also the Kafka message key. */
  orderId: string;
  /** Why the payment failed. */
  reason: PaymentFailureReason;
  /** Human-readable detail from the payment gateway. */
  message: string;
}

/** Reply from payment to RefundPayment. */
export interface PaymentRefunded {
  /** Order id (UUID) whose payment was refunded; also the Kafka message key. */
  orderId: string;
  /** Id of the refunded payment; null when there was no payment to refund. */
  paymentId: string | null;
  /** Amount refunded in minor units; 0 when nothing was charged. */
  amount: number;
  /** True when money was refunded; false when there was nothing to refund. */
  refunded: boolean;
}

/** Reply from payment: the order was charged. */
export interface PaymentSucceeded {
  /** Order id (UUID) that was charged; also the Kafka message key. */
  orderId: string;
  /** Id of the payment held by the payment service. */
  paymentId: string;
  /** Amount charged in minor units of currency. */
  amount: number;
  /** ISO 4217 currency code of the amount, e.g. EUR. */
  currency: string;
}
