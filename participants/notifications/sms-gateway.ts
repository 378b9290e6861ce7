/**
 * SMS through an HTTP gateway: `POST <url>` with JSON `{to, text, messageId}` (the stable id, also
 * as `Idempotency-Key`), an optional bearer token. 2xx: sent; 429 and 5xx, a network failure or no
 * answer in time: transient; any other 4xx: the gateway refuses this message for good.
 */
import { type ChannelSender, type DeliveryOutcome, TransientDeliveryError } from './delivery.ts';
import type { PlannedNotification } from './notification-decisions.ts';

export interface SmsGatewaySettings {
  url: string;
  token: string | null;
  timeoutMs: number;
}

export type GatewayAnswer = 'sent' | 'transient' | 'permanent';

export const gatewayAnswerOf = (status: number): GatewayAnswer =>
  status >= 200 && status < 300
    ? 'sent'
    : status === 429 || status === 408 || status >= 500
      ? 'transient'
      : 'permanent';

export function createSmsSender(settings: SmsGatewaySettings): ChannelSender {
  return {
    async send(notification: PlannedNotification): Promise<DeliveryOutcome> {
      let response: Response;
      try {
        response = await fetch(settings.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': notification.messageId,
            ...(settings.token !== null ? { authorization: `Bearer ${settings.token}` } : {}),
          },
          body: JSON.stringify({
            to: notification.recipient,
            text: notification.text,
            messageId: notification.messageId,
          }),
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (error) {
        // fetch rejects only when no answer came: refused, reset, DNS, or the timeout's abort.
        throw new TransientDeliveryError('sms', (error as Error).message, error);
      }
      const body = (await response.text()).slice(0, 200);
      const answer = gatewayAnswerOf(response.status);
      switch (answer) {
        case 'sent':
          return { kind: 'sent' };
        case 'permanent':
          return { kind: 'rejected', reason: `${response.status} ${body}`.trim() };
        case 'transient':
          throw new TransientDeliveryError('sms', `gateway answered ${response.status} ${body}`.trim(), null);
        default: {
          const unknown: never = answer;
          throw new Error(`unknown gateway answer ${String(unknown)}`);
        }
      }
    },
  };
}
