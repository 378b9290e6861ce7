/**
 * The notification service's own settings, read once at start-up (besides the common ones of
 * lib/config/common-config.ts). Secrets (SMTP_PASSWORD, SMS_GATEWAY_TOKEN) only from the environment.
 */
import type { EnvReader } from '../../lib/config/env.ts';
import type { SmtpSettings } from './mail-sender.ts';
import type { SmsGatewaySettings } from './sms-gateway.ts';

export interface NotificationConfig {
  port: number;
  /** The templates' locale every notification is written in. */
  locale: string;
  /** The right-hand side of every Message-ID (message-id.ts). */
  messageIdDomain: string;
  smtp: SmtpSettings;
  sms: SmsGatewaySettings;
}

export const defaultPort = 3004;
export const defaultMailFrom = 'Order saga shop <orders@order-saga.local>';

const domainOf = (address: string): string | null => /@([A-Za-z0-9.-]+)>?\s*$/.exec(address)?.[1] ?? null;

/** `locales`: the template folders there are; NOTIFICATIONS_LOCALE must be one of them. */
export function readNotificationConfig(
  reader: EnvReader,
  locales: readonly string[],
): { config: NotificationConfig; problems: string[] } {
  const problems: string[] = [];
  const from = reader.string('MAIL_FROM', defaultMailFrom);
  const fromDomain = domainOf(from);
  if (fromDomain === null) problems.push(`MAIL_FROM=${JSON.stringify(from)} has no address with a domain`);
  const messageIdDomain = reader.string('MESSAGE_ID_DOMAIN', fromDomain ?? 'order-saga.local');
  if (!/^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(messageIdDomain)) {
    problems.push(`MESSAGE_ID_DOMAIN=${JSON.stringify(messageIdDomain)} is not a domain name`);
  }
  const user = reader.string('SMTP_USER', '');
  const password = reader.string('SMTP_PASSWORD', '');
  if (password !== '' && user === '') problems.push('SMTP_PASSWORD is set without SMTP_USER');
  const token = reader.string('SMS_GATEWAY_TOKEN', '');
  const config: NotificationConfig = {
    port: reader.int('NOTIFICATIONS_PORT', defaultPort, { min: 1, max: 65_535 }),
    locale: reader.oneOf('NOTIFICATIONS_LOCALE', 'en', locales),
    messageIdDomain,
    smtp: {
      host: reader.string('SMTP_HOST', '127.0.0.1'),
      port: reader.int('SMTP_PORT', 2525, { min: 1, max: 65_535 }),
      secure: reader.boolean('SMTP_SECURE', false),
      user: user === '' ? null : user,
      password: password === '' ? null : password,
      from,
      timeoutMs: reader.int('SMTP_TIMEOUT_MS', 5_000, { min: 100, max: 120_000 }),
    },
    sms: {
      url: reader.url('SMS_GATEWAY_URL', 'http://127.0.0.1:3005/sms', ['http:', 'https:']),
      token: token === '' ? null : token,
      timeoutMs: reader.int('SMS_GATEWAY_TIMEOUT_MS', 5_000, { min: 100, max: 120_000 }),
    },
  };
  return { config, problems };
}
