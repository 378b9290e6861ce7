/**
 * What sending a notification came to, for both channels. A permanent refusal (a rejected address,
 * a number the gateway refuses) is an outcome, recorded and never retried; a transient failure (the
 * server down or busy) is a TransientDeliveryError, which the consumer's retry policy waits out
 * with backoff (lib/messaging/retry-policy.ts: `retriable` errors are outages), so nothing is lost.
 */

import type { PlannedNotification } from './notification-decisions.ts';
import type { Channel } from './notification-events.ts';

export type DeliveryOutcome = { kind: 'sent' } | { kind: 'rejected'; reason: string };

export interface ChannelSender {
  /** Hands the notification over; throws TransientDeliveryError when it should be tried again later. */
  send(notification: PlannedNotification): Promise<DeliveryOutcome>;
}

export type Senders = Readonly<Record<Channel, ChannelSender>>;

export class TransientDeliveryError extends Error {
  /** Read by lib/messaging/transient-errors.ts: the consumer waits it out, never dead-letters. */
  readonly retriable = true;
  readonly channel: Channel;
  constructor(channel: Channel, message: string, cause: unknown) {
    super(`${channel} delivery failed for now: ${message}`, { cause });
    this.name = 'TransientDeliveryError';
    this.channel = channel;
  }
}
