/**
 * The pure decision: an order-events record (and the order's contact, if known) → the contact to
 * keep and the notifications to send, rendered. No I/O: templates are read beforehand, the caller
 * sends and records.
 */
import type { TypedRecord } from '../../lib/contracts/generated.ts';
import { notificationMessageId } from './message-id.ts';
import {
  type Channel,
  isNotifiedEvent,
  type NotifiedEvent,
  notificationRules,
} from './notification-events.ts';
import type { TemplateSet } from './templates.ts';

/** An order's contact, from its OrderPlaced. */
export interface OrderContact {
  orderId: string;
  customerId: string;
  email: string;
  phone: string | null;
}

/** One message to one recipient on one channel, ready to send. */
export interface PlannedNotification {
  orderId: string;
  event: NotifiedEvent;
  channel: Channel;
  recipient: string;
  locale: string;
  /** Stable per (order, event, channel): message-id.ts. */
  messageId: string;
  subject: string | null;
  text: string;
}

export interface DecisionOptions {
  templates: TemplateSet;
  locale: string;
  /** The right-hand side of the Message-IDs. */
  messageIdDomain: string;
}

export type NotificationDecision =
  | { kind: 'ignore'; reason: 'not_notified' | 'no_contact' }
  | { kind: 'notify'; newContact: OrderContact | null; notifications: PlannedNotification[] };

/** The key of what is sent at most once. */
export const sentKey = (orderId: string, event: string, channel: Channel): string =>
  `${orderId}|${event}|${channel}`;

export function decideNotifications(
  record: TypedRecord,
  known: OrderContact | undefined,
  options: DecisionOptions,
): NotificationDecision {
  if (!isNotifiedEvent(record.type)) return { kind: 'ignore', reason: 'not_notified' };
  const event = record.type;
  let contact = known ?? null;
  let newContact: OrderContact | null = null;
  if (record.type === 'OrderPlaced' && !known && record.payload.contact !== null) {
    const { orderId, customerId, contact: given } = record.payload;
    newContact = { orderId: orderId.toLowerCase(), customerId, email: given.email, phone: given.phone };
    contact = newContact;
  }
  if (contact === null) return { kind: 'ignore', reason: 'no_contact' };
  const { locale, templates } = options;
  const rule = notificationRules[event] as {
    template: string;
    channels: readonly Channel[];
    params(payload: unknown, words: ReturnType<TemplateSet['words']>): Record<string, string>;
  };
  const orderId = contact.orderId;
  const values = {
    orderId,
    shortOrderId: orderId.slice(0, 8),
    ...rule.params(record.payload, templates.words(locale)),
  };
  const notifications = rule.channels.flatMap((channel): PlannedNotification[] => {
    const recipient = channel === 'email' ? contact.email : contact.phone;
    if (recipient === null) return [];
    const rendered = templates.render(locale, rule.template, channel, values);
    return [
      {
        orderId,
        event,
        channel,
        recipient,
        locale,
        messageId: notificationMessageId(orderId, event, channel, options.messageIdDomain),
        subject: rendered.subject,
        text: rendered.text,
      },
    ];
  });
  return { kind: 'notify', newContact, notifications };
}
