/**
 * notifications_total{channel, outcome}: handed over (`sent`), refused for good (`rejected`), or not
 * sent again because already recorded (`duplicate`). Counted once the hand-off is recorded.
 */
import { Counter, type Registry } from 'prom-client';
import type { Channel } from './notification-events.ts';

export interface NotificationObserver {
  delivered(channel: Channel, outcome: 'sent' | 'rejected'): void;
  skipped(channel: Channel): void;
}

export const noNotificationMetrics: NotificationObserver = { delivered: () => {}, skipped: () => {} };

export function createNotificationMetrics(registry: Registry): NotificationObserver {
  const counter = new Counter({
    name: 'notifications_total',
    help: 'Notifications by channel and outcome: sent (handed over), rejected (refused for good), duplicate (already recorded, not sent again)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [registry],
  });
  return {
    delivered: (channel, outcome) => counter.inc({ channel, outcome }),
    skipped: (channel) => counter.inc({ channel, outcome: 'duplicate' }),
  };
}
