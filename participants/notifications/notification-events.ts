/**
 * Which order-events records tell the customer something, as data: the record type, its template
 * (templates/<locale>/<template>.<channel>.txt), the channels it goes out on, and the values its
 * templates get besides the common ones (orderId, shortOrderId). A new event is one entry here and
 * its template files. Records not listed (OrderStatusChanged) send nothing.
 */
import type { CancelReason, OrderEventsRecord, RecordPayloads } from '../../lib/contracts/generated.ts';

export const channels = ['email', 'sms'] as const;
export type Channel = (typeof channels)[number];

/** What a locale's words give the rules: money as the locale writes it, a cancel reason in words… */
export interface LocaleWords {
  money(minorUnits: number, currency: string): string;
  cancelReason(reason: CancelReason): string;
  /** The total of an order inventory has not priced yet. */
  totalPending: string;
}

export interface EventRule<N extends keyof RecordPayloads> {
  template: string;
  channels: readonly Channel[];
  params(payload: RecordPayloads[N], words: LocaleWords): Record<string, string>;
}

type OrderEventType = OrderEventsRecord['type'];

export const notificationRules = {
  OrderPlaced: {
    template: 'order-placed',
    channels: ['email', 'sms'],
    params: (p, words) => ({
      itemCount: String(p.items.reduce((sum, item) => sum + item.quantity, 0)),
      total: p.total === null ? words.totalPending : words.money(p.total, p.currency),
    }),
  },
  OrderCompleted: {
    template: 'order-confirmed',
    channels: ['email', 'sms'],
    params: (p, words) => ({ total: words.money(p.total, p.currency) }),
  },
  OrderCancelled: {
    template: 'order-cancelled',
    channels: ['email', 'sms'],
    params: (p, words) => ({ reason: words.cancelReason(p.reason) }),
  },
  OrderShipped: { template: 'order-shipped', channels: ['email', 'sms'], params: () => ({}) },
  OrderDelivered: { template: 'order-delivered', channels: ['email', 'sms'], params: () => ({}) },
  // A compensation that could not finish: an operator acts and the order usually ends cancelled
  // (its own email). The customer hears once that it is being looked into; no SMS for it.
  OrderFailed: { template: 'order-delayed', channels: ['email'], params: () => ({}) },
} satisfies { [N in OrderEventType]?: EventRule<N> };

export type NotifiedEvent = keyof typeof notificationRules;

export const notifiedEvents = Object.keys(notificationRules) as NotifiedEvent[];

export const isNotifiedEvent = (type: string): type is NotifiedEvent =>
  Object.hasOwn(notificationRules, type);
