// generated from schemas/ by npm run gen:types — do not edit

import type * as AuditEvents from './generated/audit-events.ts';
import type * as InventoryCommands from './generated/inventory-commands.ts';
import type * as InventoryEvents from './generated/inventory-events.ts';
import type * as OrderEvents from './generated/order-events.ts';
import type * as PaymentCommands from './generated/payment-commands.ts';
import type * as PaymentEvents from './generated/payment-events.ts';
import type * as ShippingCommands from './generated/shipping-commands.ts';
import type * as ShippingEvents from './generated/shipping-events.ts';

export type * from './generated/audit-events.ts';
export type * from './generated/inventory-commands.ts';
export type * from './generated/inventory-events.ts';
export type * from './generated/order-events.ts';
export type * from './generated/payment-commands.ts';
export type * from './generated/payment-events.ts';
export type * from './generated/shipping-commands.ts';
export type * from './generated/shipping-events.ts';

/** Symbols of every Avro enum (they are also the HTTP vocabulary). */
export const enumSymbols = {
  StockRejectionReason: ['out_of_stock', 'unknown_sku', 'fault_injected'],
  PaymentFailureReason: ['declined', 'fault_injected'],
  ShippingFailureReason: ['unserved_destination', 'fault_injected'],
  CancelReason: [
    'out_of_stock',
    'payment_declined',
    'shipping_failed',
    'timeout',
    'price_changed',
    'customer_cancelled',
  ],
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
  ShipmentDelivered: 'shipping-events',
  ShipmentPickedUp: 'shipping-events',
  ShippingCancelled: 'shipping-events',
  ShippingFailed: 'shipping-events',
  ShippingScheduled: 'shipping-events',
  OrderCancelled: 'order-events',
  OrderCompleted: 'order-events',
  OrderDelivered: 'order-events',
  OrderFailed: 'order-events',
  OrderPlaced: 'order-events',
  OrderShipped: 'order-events',
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
  ShipmentDelivered: 'ordersaga.shipping.ShipmentDelivered',
  ShipmentPickedUp: 'ordersaga.shipping.ShipmentPickedUp',
  ShippingCancelled: 'ordersaga.shipping.ShippingCancelled',
  ShippingFailed: 'ordersaga.shipping.ShippingFailed',
  ShippingScheduled: 'ordersaga.shipping.ShippingScheduled',
  OrderCancelled: 'ordersaga.order.OrderCancelled',
  OrderCompleted: 'ordersaga.order.OrderCompleted',
  OrderDelivered: 'ordersaga.order.OrderDelivered',
  OrderFailed: 'ordersaga.order.OrderFailed',
  OrderPlaced: 'ordersaga.order.OrderPlaced',
  OrderShipped: 'ordersaga.order.OrderShipped',
  OrderStatusChanged: 'ordersaga.order.OrderStatusChanged',
  AuditRecorded: 'ordersaga.audit.AuditRecorded',
} as const;

/** Payload type of every record. */
export interface RecordPayloads {
  ReleaseStock: InventoryCommands.ReleaseStock;
  ReserveStock: InventoryCommands.ReserveStock;
  StockRejected: InventoryEvents.StockRejected;
  StockReleased: InventoryEvents.StockReleased;
  StockReserved: InventoryEvents.StockReserved;
  ProcessPayment: PaymentCommands.ProcessPayment;
  RefundPayment: PaymentCommands.RefundPayment;
  PaymentFailed: PaymentEvents.PaymentFailed;
  PaymentRefunded: PaymentEvents.PaymentRefunded;
  PaymentSucceeded: PaymentEvents.PaymentSucceeded;
  CancelShipping: ShippingCommands.CancelShipping;
  ScheduleShipping: ShippingCommands.ScheduleShipping;
  ShipmentDelivered: ShippingEvents.ShipmentDelivered;
  ShipmentPickedUp: ShippingEvents.ShipmentPickedUp;
  ShippingCancelled: ShippingEvents.ShippingCancelled;
  ShippingFailed: ShippingEvents.ShippingFailed;
  ShippingScheduled: ShippingEvents.ShippingScheduled;
  OrderCancelled: OrderEvents.OrderCancelled;
  OrderCompleted: OrderEvents.OrderCompleted;
  OrderDelivered: OrderEvents.OrderDelivered;
  OrderFailed: OrderEvents.OrderFailed;
  OrderPlaced: OrderEvents.OrderPlaced;
  OrderShipped: OrderEvents.OrderShipped;
  OrderStatusChanged: OrderEvents.OrderStatusChanged;
  AuditRecorded: AuditEvents.AuditRecorded;
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
