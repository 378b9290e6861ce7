import type { FastifyInstance } from 'fastify';
import type { Knex } from 'knex';
import type { AuthConfig } from '../../lib/config/auth-config.ts';
import { customerScope, principalOf } from '../../lib/http/principal.ts';
import { createServiceApp, errorResponse, sendNotFound } from '../../lib/http/service-app.ts';
import type { Logger } from '../../lib/logger.ts';
import { channels } from './notification-events.ts';
import { listNotifications } from './notification-store.ts';

export interface NotificationAppDeps {
  db: Knex;
  logger: Logger;
  auth: AuthConfig;
}

const notificationView = {
  type: 'object',
  required: ['orderId', 'event', 'channel', 'status', 'recipient', 'messageId', 'locale', 'failure', 'at'],
  properties: {
    orderId: { type: 'string', format: 'uuid' },
    event: { type: 'string', description: 'the order-events record, e.g. OrderPlaced' },
    channel: { type: 'string', enum: channels },
    status: {
      type: 'string',
      enum: ['sent', 'failed'],
      description: 'sent: handed to the mail server or SMS gateway; failed: refused for good (not retried)',
    },
    recipient: { type: 'string' },
    messageId: { type: 'string', description: 'stable per (order, event, channel)' },
    locale: { type: 'string' },
    failure: { type: ['string', 'null'], description: 'the refusal, for failed ones' },
    at: { type: 'string', format: 'date-time' },
  },
} as const;

/** The notification service's HTTP app (not listening; runService does that, and adds /health and /metrics). */
export async function buildApp(deps: NotificationAppDeps): Promise<FastifyInstance> {
  const app = await createServiceApp(deps.logger, {
    title: 'Order saga notification service',
    description:
      'Tells customers about their orders (email over SMTP, SMS through an HTTP gateway) from order-events; shows what was sent.',
    tags: ['notifications'],
    auth: deps.auth,
  });
  app.get<{ Querystring: { orderId: string } }>(
    '/notifications',
    {
      config: { access: ['customer', 'operator'] },
      schema: {
        tags: ['notifications'],
        summary: 'What an order’s customer was sent (a customer: own orders only)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          required: ['orderId'],
          properties: { orderId: { type: 'string', format: 'uuid' } },
        },
        response: {
          200: {
            type: 'object',
            required: ['orderId', 'notifications'],
            properties: {
              orderId: { type: 'string' },
              notifications: { type: 'array', items: notificationView },
            },
          },
          400: errorResponse,
          404: errorResponse,
        },
      },
    },
    async (request, reply) => {
      const orderId = request.query.orderId.toLowerCase();
      const notifications = await listNotifications(deps.db, orderId, customerScope(principalOf(request)));
      if (notifications === null) return sendNotFound(reply, `no notifications for order ${orderId}`);
      return { orderId, notifications };
    },
  );
  return app;
}
