// generated from schemas/ by npm run gen:types — do not edit

/** Compensation from the orchestrator: release the stock reserved for an order. Idempotent: releasing nothing is a no-op. */
export interface ReleaseStock {
  /** Order id (UUID) whose reservation is released; also the Kafka message key. */
  orderId: string;
  /** Why the reservation is released (human-readable, for logs and history). */
  reason: string;
}

/** One line of a stock reservation. */
export interface StockItem {
  /** Stock keeping unit. */
  sku: string;
  /** Units to reserve (> 0). */
  quantity: number;
}

/** Command from the orchestrator: reserve stock for every line of an order (all or nothing). */
export interface ReserveStock {
  /** Order id (UUID) of the order to reserve stock for; also the Kafka message key. */
  orderId: string;
  /** Lines to reserve; never empty. */
  items: StockItem[];
}

/** Why a stock reservation was rejected. */
export type StockRejectionReason = 'out_of_stock' | 'unknown_sku' | 'fault_injected';

/** A SKU that could not be reserved in the requested quantity. */
export interface StockShortage {
  /** Stock keeping unit. */
  sku: string;
  /** Units the order asked for. */
  requested: number;
  /** Units available when the reservation was attempted (0 for an unknown SKU). */
  available: number;
}

/** Reply from inventory: the order could not be reserved; nothing is held. */
export interface StockRejected {
  /** Order id (UUID) whose reservation was rejected; also the Kafka message key. */
  orderId: string;
  /** Why the reservation was rejected. */
  reason: StockRejectionReason;
  /** SKUs that could not be reserved; may be empty (e.g. for an injected fault). */
  shortages: StockShortage[];
}

/** Reply from inventory to ReleaseStock. */
export interface StockReleased {
  /** Order id (UUID) whose reservation was released; also the Kafka message key. */
  orderId: string;
  /** True when a reservation was released; false when there was nothing to release. */
  released: boolean;
}

/** One reserved line (one per SKU) with its catalog price at reservation time. */
export interface ReservedLine {
  /** Stock keeping unit. */
  sku: string;
  /** Units reserved of this SKU (the order's lines of the SKU summed). */
  quantity: number;
  /** Catalog price of one unit in minor units of currency. */
  unitPrice: number;
  /** ISO 4217 currency code of unitPrice, e.g. EUR. */
  currency: string;
}

/** Reply from inventory: every line of the order is reserved, with each line's catalog price. */
export interface StockReserved {
  /** Order id (UUID) the reservation belongs to; also the Kafka message key. */
  orderId: string;
  /** Id of the reservation held by inventory. */
  reservationId: string;
  /** Reserved lines with their catalog prices (version 2; empty when written by version 1). */
  lines: ReservedLine[];
}

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

/** Why an order was cancelled. */
export type CancelReason =
  | 'out_of_stock'
  | 'payment_declined'
  | 'shipping_failed'
  | 'timeout'
  | 'price_changed';

/** Lifecycle event: a saga step failed and every earlier step was compensated. */
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

/** How the action ended. A reader that does not know a newer outcome reads rejected (never applied). */
export type AuditOutcome = 'applied' | 'rejected' | 'not_found';

/** An operator action and its outcome, recorded in the same transaction as its effect. Kafka message key: the target. */
export interface AuditRecorded {
  /** Id of the audit record (UUID); also the message-id header. */
  auditId: string;
  /** Service the action was taken on: orchestrator, inventory, payment or shipping. */
  service: string;
  /** Who acted: the caller's token subject. */
  actor: string;
  /** The role the actor acted in (operator). */
  role: string;
  /** What was asked: retry, fault_set, fault_cleared, price_changed. */
  action: string;
  /** What it was asked of, as kind:id, e.g. order:<uuid>, faults:payment, sku:SKU-001. */
  target: string;
  /** applied: the effect committed with this record; rejected: refused, nothing changed; not_found: no such target. */
  outcome: AuditOutcome;
  /** Action-specific detail as a JSON object text (e.g. the fault set, the old and new price). */
  detail: string;
  /** When the action was recorded (milliseconds since the Unix epoch, UTC). */
  occurredAt: number;
}

/** Symbols of every Avro enum (they are also the HTTP vocabulary). */
export const enumSymbols = {
  StockRejectionReason: ['out_of_stock', 'unknown_sku', 'fault_injected'],
  PaymentFailureReason: ['declined', 'fault_injected'],
  ShippingFailureReason: ['unserved_destination', 'fault_injected'],
  CancelReason: ['out_of_stock', 'payment_declined', 'shipping_failed', 'timeout', 'price_changed'],
  OrderStatus: ['pending', 'completed', 'cancelled', 'failed'],
  AuditOutcome: ['applied', 'rejected', 'not_found'],
} as const;

/** Topic of every record (record short name → topic). */
export const recordTopics = {
  ReleaseStock: 'inventory-commands',
  ReserveStock: 'inventory-commands',
  StockRejected: 'inventory-events',
  StockReleased: 'inventory-events',
  StockReserved: 'inventory-events',
  ProcessPayment: 'payment-commands',
  RefundPayment: 'payment-commands',
  PaymentFailed: 'payment-events',
  PaymentRefunded: 'payment-events',
  PaymentSucceeded: 'payment-events',
  CancelShipping: 'shipping-commands',
  ScheduleShipping: 'shipping-commands',
  ShippingCancelled: 'shipping-events',
  ShippingFailed: 'shipping-events',
  ShippingScheduled: 'shipping-events',
  OrderCancelled: 'order-events',
  OrderCompleted: 'order-events',
  OrderFailed: 'order-events',
  OrderPlaced: 'order-events',
  OrderStatusChanged: 'order-events',
  AuditRecorded: 'audit-events',
} as const;

/** Avro full name of every record. */
export const recordFullNames = {
  ReleaseStock: 'ordersaga.inventory.ReleaseStock',
  ReserveStock: 'ordersaga.inventory.ReserveStock',
  StockRejected: 'ordersaga.inventory.StockRejected',
  StockReleased: 'ordersaga.inventory.StockReleased',
  StockReserved: 'ordersaga.inventory.StockReserved',
  ProcessPayment: 'ordersaga.payment.ProcessPayment',
  RefundPayment: 'ordersaga.payment.RefundPayment',
  PaymentFailed: 'ordersaga.payment.PaymentFailed',
  PaymentRefunded: 'ordersaga.payment.PaymentRefunded',
  PaymentSucceeded: 'ordersaga.payment.PaymentSucceeded',
  CancelShipping: 'ordersaga.shipping.CancelShipping',
  ScheduleShipping: 'ordersaga.shipping.ScheduleShipping',
  ShippingCancelled: 'ordersaga.shipping.ShippingCancelled',
  ShippingFailed: 'ordersaga.shipping.ShippingFailed',
  ShippingScheduled: 'ordersaga.shipping.ShippingScheduled',
  OrderCancelled: 'ordersaga.order.OrderCancelled',
  OrderCompleted: 'ordersaga.order.OrderCompleted',
  OrderFailed: 'ordersaga.order.OrderFailed',
  OrderPlaced: 'ordersaga.order.OrderPlaced',
  OrderStatusChanged: 'ordersaga.order.OrderStatusChanged',
  AuditRecorded: 'ordersaga.audit.AuditRecorded',
} as const;

/** Payload type of every record. */
export interface RecordPayloads {
  ReleaseStock: ReleaseStock;
  ReserveStock: ReserveStock;
  StockRejected: StockRejected;
  StockReleased: StockReleased;
  StockReserved: StockReserved;
  ProcessPayment: ProcessPayment;
  RefundPayment: RefundPayment;
  PaymentFailed: PaymentFailed;
  PaymentRefunded: PaymentRefunded;
  PaymentSucceeded: PaymentSucceeded;
  CancelShipping: CancelShipping;
  ScheduleShipping: ScheduleShipping;
  ShippingCancelled: ShippingCancelled;
  ShippingFailed: ShippingFailed;
  ShippingScheduled: ShippingScheduled;
  OrderCancelled: OrderCancelled;
  OrderCompleted: OrderCompleted;
  OrderFailed: OrderFailed;
  OrderPlaced: OrderPlaced;
  OrderStatusChanged: OrderStatusChanged;
  AuditRecorded: AuditRecorded;
}

export type RecordName = keyof RecordPayloads;

/** Every record name, in schema order. */
export const recordNames = Object.keys(recordTopics) as RecordName[];

/** Every topic that carries at least one record. */
export type ContractTopic = (typeof recordTopics)[RecordName];

/** Topic of a record. */
export type TopicOf<N extends RecordName> = (typeof recordTopics)[N];

/** Names of the records whose topic is T. */
export type RecordsOfTopic<T extends string> = {
  [K in RecordName]: (typeof recordTopics)[K] extends T ? K : never;
}[RecordName];

/** A decoded record: its name as discriminant, and its payload. */
export type TypedRecord<N extends RecordName = RecordName> = {
  [K in N]: { type: K; payload: RecordPayloads[K] };
}[N];

/** Union of the typed records that travel on topic T. */
export type TypedRecordOfTopic<T extends string> = TypedRecord<RecordsOfTopic<T>>;

/** Records on `inventory-commands`. */
export type InventoryCommandsRecord = TypedRecordOfTopic<'inventory-commands'>;

/** Records on `inventory-events`. */
export type InventoryEventsRecord = TypedRecordOfTopic<'inventory-events'>;

/** Records on `payment-commands`. */
export type PaymentCommandsRecord = TypedRecordOfTopic<'payment-commands'>;

/** Records on `payment-events`. */
export type PaymentEventsRecord = TypedRecordOfTopic<'payment-events'>;

/** Records on `shipping-commands`. */
export type ShippingCommandsRecord = TypedRecordOfTopic<'shipping-commands'>;

/** Records on `shipping-events`. */
export type ShippingEventsRecord = TypedRecordOfTopic<'shipping-events'>;

/** Records on `order-events`. */
export type OrderEventsRecord = TypedRecordOfTopic<'order-events'>;

/** Records on `audit-events`. */
export type AuditEventsRecord = TypedRecordOfTopic<'audit-events'>;
