/**
 * The consumer's handler: a batch of new order-events messages (the inbox has dropped redeliveries)
 * → the contacts of its orders and what they have been sent already, read once; each record decided
 * in order (a contact from an OrderPlaced serves the batch's later records of that order), each
 * notification not yet sent handed to its channel and recorded at once (notification-store.ts).
 *
 * A transient failure (server down) throws: the batch rolls back and the consumer waits it out and
 * runs it again; what was handed over before is recorded and skipped then. A permanent refusal is
 * recorded as `failed` and the batch goes on.
 */
import type { Knex } from 'knex';
import { recordTopics } from '../../lib/contracts/generated.ts';
import type { Clock } from '../../lib/ids.ts';
import { baseTopics } from '../../lib/kafka/topics.ts';
import type { Logger } from '../../lib/logger.ts';
import type { BatchHandler } from '../../lib/messaging/message-consumer.ts';
import type { DeliveryOutcome, Senders } from './delivery.ts';
import { type DecisionOptions, decideNotifications, sentKey } from './notification-decisions.ts';
import type { NotificationObserver } from './notification-metrics.ts';
import { addContact, loadContacts, loadSentKeys, recordDelivery } from './notification-store.ts';

export interface NotificationHandlerDeps {
  /** For the sent-records, committed outside the batch's transaction. */
  db: Knex;
  senders: Senders;
  clock: Clock;
  logger: Logger;
  observer: NotificationObserver;
}

const orderIdOf = (payload: unknown): string | null => {
  const id = (payload as { orderId?: unknown }).orderId;
  return typeof id === 'string' ? id.toLowerCase() : null;
};

export function createNotificationHandler(
  deps: NotificationHandlerDeps,
  options: DecisionOptions,
): BatchHandler {
  const { db, senders, clock, observer } = deps;
  const log = deps.logger.child({ component: 'notifications' });
  return async (unit, messages) => {
    const orderIds = [...new Set(messages.flatMap((m) => orderIdOf(m.record.payload) ?? []))].sort();
    const contacts = await loadContacts(unit, orderIds);
    const sent = await loadSentKeys(unit, orderIds);
    for (const message of messages) {
      // A record order-events does not carry (a producer's mistake or a forgery) is no event to
      // ignore: it fails, and is dead-lettered with the reason.
      if (recordTopics[message.record.type] !== baseTopics.orderEvents)
        throw new Error(`${message.record.type} is not an order-events record`);
      const orderId = orderIdOf(message.record.payload);
      const decision = decideNotifications(
        message.record,
        orderId ? contacts.get(orderId) : undefined,
        options,
      );
      switch (decision.kind) {
        case 'ignore':
          if (decision.reason === 'no_contact') {
            log.debug({ orderId, type: message.record.type }, 'no contact for the order: nothing sent');
          }
          break;
        case 'notify': {
          if (decision.newContact) {
            contacts.set(decision.newContact.orderId, decision.newContact);
            addContact(unit, decision.newContact, clock());
          }
          for (const notification of decision.notifications) {
            const key = sentKey(notification.orderId, notification.event, notification.channel);
            if (sent.has(key)) {
              observer.skipped(notification.channel);
              continue;
            }
            const outcome: DeliveryOutcome = await senders[notification.channel].send(notification);
            await recordDelivery(db, notification, outcome, clock());
            sent.add(key);
            observer.delivered(notification.channel, outcome.kind);
            if (outcome.kind === 'rejected') {
              log.warn(
                {
                  orderId: notification.orderId,
                  event: notification.event,
                  channel: notification.channel,
                  reason: outcome.reason,
                },
                'notification refused for good: recorded as failed, not retried',
              );
            }
          }
          break;
        }
        default: {
          const unknown: never = decision;
          throw new Error(`unknown notification decision ${JSON.stringify(unknown)}`);
        }
      }
    }
  };
}
