import type { CustomerContact, OrderItem, ShippingAddress } from '../../lib/contracts/generated.ts';

/** The order data the saga's commands are built from (stored in orders.orders). */
export interface OrderRecord {
  orderId: string;
  customerId: string;
  /** The lines; `unitPrice` is the price the customer expects (null: none given, the catalog decides). */
  items: OrderItem[];
  /** The catalog total once inventory priced the order; null before. */
  total: number | null;
  currency: string;
  paymentToken: string;
  shippingAddress: ShippingAddress;
  /** Where the customer is told about the order (OrderPlaced carries it); null: placed without one. */
  contact: CustomerContact | null;
  correlationId: string;
}
