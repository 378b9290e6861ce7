import type { OrderItem, ShippingAddress } from '../../lib/contracts/generated.ts';

/** The order data the saga's commands are built from (stored in orders.orders). */
export interface OrderRecord {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  total: number;
  currency: string;
  paymentToken: string;
  shippingAddress: ShippingAddress;
  correlationId: string;
}
