/** Email over SMTP with nodemailer: one pooled transport, the notification's stable Message-ID. */
import nodemailer from 'nodemailer';
import { type ChannelSender, type DeliveryOutcome, TransientDeliveryError } from './delivery.ts';
import type { PlannedNotification } from './notification-decisions.ts';
import { classifySmtpError, refusalOf } from './smtp-errors.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user: string | null;
  password: string | null;
  from: string;
  /** Connection, greeting and socket timeouts: a server that does not answer is a transient failure. */
  timeoutMs: number;
}

export interface MailSender extends ChannelSender {
  close(): void;
}

export function createMailSender(settings: SmtpSettings): MailSender {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(settings.user !== null ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    pool: true,
    maxConnections: 2,
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs * 2,
  });
  return {
    async send(notification: PlannedNotification): Promise<DeliveryOutcome> {
      try {
        await transport.sendMail({
          from: settings.from,
          to: notification.recipient,
          subject: notification.subject ?? '',
          text: notification.text,
          messageId: notification.messageId,
          headers: { 'X-Order-Id': notification.orderId, 'X-Notification-Event': notification.event },
        });
        return { kind: 'sent' };
      } catch (error) {
        const failure = classifySmtpError(error);
        switch (failure) {
          case 'permanent':
            return { kind: 'rejected', reason: refusalOf(error as Error) };
          case 'transient':
            throw new TransientDeliveryError('email', (error as Error).message, error);
          case 'unknown':
            throw error;
          default: {
            const unknown: never = failure;
            throw new Error(`unknown SMTP failure kind ${String(unknown)}`);
          }
        }
      }
    },
    close: () => transport.close(),
  };
}
