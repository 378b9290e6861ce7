/**
 * The notification service's Postgres (schema `notifications`): the orders' contacts (written with
 * the batch, in its transaction) and the sent-records. A sent-record is written right after the
 * hand-off, in a transaction of its own (`recordDelivery`), so that a batch rolled back later (an
 * outage on the next message) does not forget what has already gone out.
 */
import type { Knex } from 'knex';
import { binaryArray } from '../../lib/db/pg-binary-array.ts';
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';
import type { DeliveryOutcome } from './delivery.ts';
import { type OrderContact, type PlannedNotification, sentKey } from './notification-decisions.ts';
import type { Channel } from './notification-events.ts';

interface ContactRow {
  order_id: string;
  customer_id: string;
  email: string;
  phone: string | null;
}

const toContact = (row: ContactRow): OrderContact => ({
  orderId: row.order_id,
  customerId: row.customer_id,
  email: row.email,
  phone: row.phone,
});

/** The contacts of these orders (lower-case ids), by order id. */
export async function loadContacts(
  unit: UnitOfWork,
  orderIds: readonly string[],
): Promise<Map<string, OrderContact>> {
  if (orderIds.length === 0) return new Map();
  const rows = await unit.read<ContactRow>(
    queryBuilder('notifications.contacts')
      .select('order_id', 'customer_id', 'email', 'phone')
      .whereRaw('order_id = any(?::uuid[])', [binaryArray('uuid', [...orderIds])]),
  );
  return new Map(rows.map((row) => [row.order_id, toContact(row)]));
}

/** The (order, event, channel) keys already sent or refused for good, of these orders. */
export async function loadSentKeys(unit: UnitOfWork, orderIds: readonly string[]): Promise<Set<string>> {
  if (orderIds.length === 0) return new Set();
  const rows = await unit.read<{ order_id: string; event: string; channel: Channel }>(
    queryBuilder('notifications.sent')
      .select('order_id', 'event', 'channel')
      .whereRaw('order_id = any(?::uuid[])', [binaryArray('uuid', [...orderIds])]),
  );
  return new Set(rows.map((row) => sentKey(row.order_id, row.event, row.channel)));
}

/** Adds a new contact to the batch's write (a repeat of it changes nothing). */
export function addContact(unit: UnitOfWork, contact: OrderContact, now: Date): void {
  unit.writes.add(
    `insert into notifications.contacts (order_id, customer_id, email, phone, created_at)
     values (?::uuid, ?, ?, ?, ?) on conflict (order_id) do nothing`,
    [contact.orderId, contact.customerId, contact.email, contact.phone, now],
  );
}

/** Records a hand-off (or a refusal for good), committed at once, outside the batch's transaction. */
export async function recordDelivery(
  db: Knex,
  notification: PlannedNotification,
  outcome: DeliveryOutcome,
  at: Date,
): Promise<void> {
  await db('notifications.sent')
    .insert({
      order_id: notification.orderId,
      event: notification.event,
      channel: notification.channel,
      status: outcome.kind === 'sent' ? 'sent' : 'failed',
      recipient: notification.recipient,
      message_id: notification.messageId,
      locale: notification.locale,
      failure: outcome.kind === 'rejected' ? outcome.reason : null,
      at,
    })
    .onConflict(['order_id', 'event', 'channel'])
    .ignore();
}

export interface NotificationView {
  orderId: string;
  event: string;
  channel: Channel;
  status: 'sent' | 'failed';
  recipient: string;
  messageId: string;
  locale: string;
  failure: string | null;
  at: string;
}

/**
 * The notifications of an order, oldest first; `customerId` non-null: only if the order is that
 * customer's (else null, as for an order the service does not know).
 */
export async function listNotifications(
  db: Knex,
  orderId: string,
  customerId: string | null,
): Promise<NotificationView[] | null> {
  const contact = await db('notifications.contacts').where({ order_id: orderId }).first('customer_id');
  if (!contact || (customerId !== null && contact.customer_id !== customerId)) return null;
  const rows = await db('notifications.sent')
    .where({ order_id: orderId })
    .orderBy([{ column: 'at', order: 'asc' }, { column: 'event' }, { column: 'channel' }]);
  return rows.map((row) => ({
    orderId: row.order_id,
    event: row.event,
    channel: row.channel,
    status: row.status,
    recipient: row.recipient,
    messageId: row.message_id,
    locale: row.locale,
    failure: row.failure,
    at: (row.at as Date).toISOString(),
  }));
}
