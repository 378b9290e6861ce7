/**
 * Notification service: consumes `order-events` and tells each order's customer what happened
 * (docs/notifications.md): email over SMTP, SMS through an HTTP gateway, once per (order, event,
 * channel). HTTP (NOTIFICATIONS_PORT, default 3004): GET /notifications?orderId=, /health/*, /metrics.
 * Not a saga participant: nothing waits for it, it answers nothing.
 */
// First: it must be in the module cache before anything loads kafkajs (see the module).
import '../../lib/kafka/kafkajs-patches/index.ts';
import { readAuthConfig } from '../../lib/config/auth-config.ts';
import { readCommonConfig } from '../../lib/config/common-config.ts';
import { EnvReader } from '../../lib/config/env.ts';
import { Topics } from '../../lib/kafka/topics.ts';
import { runService } from '../../lib/service/run-service.ts';
import { exitOnStartupFailure, finishConfig } from '../../lib/service/startup.ts';
import { buildApp } from './app.ts';
import { createMailSender } from './mail-sender.ts';
import { readNotificationConfig } from './notification-config.ts';
import { createNotificationHandler } from './notification-handler.ts';
import { createNotificationMetrics } from './notification-metrics.ts';
import { createSmsSender } from './sms-gateway.ts';
import { loadTemplates } from './templates.ts';

const name = 'notifications';
try {
  const templates = loadTemplates();
  const reader = new EnvReader(process.env);
  const common = readCommonConfig(reader);
  const auth = readAuthConfig(reader);
  const { config, problems } = readNotificationConfig(reader, templates.locales);
  finishConfig(reader, problems);

  const senders = { email: createMailSender(config.smtp), sms: createSmsSender(config.sms) };
  await runService({
    name,
    schema: name,
    config: common,
    port: config.port,
    consumes: [Topics.orderEvents],
    createHandler: (deps) =>
      createNotificationHandler(
        {
          db: deps.db,
          senders,
          clock: deps.clock,
          logger: deps.logger,
          observer: createNotificationMetrics(deps.metrics),
        },
        { templates, locale: config.locale, messageIdDomain: config.messageIdDomain },
      ),
    // The mail transport is not closed on stop: the consumer may still be sending when runService
    // stops background tasks; process.exit ends its idle connections.
    buildApp: (deps) => buildApp({ db: deps.db, logger: deps.logger, auth }),
  });
} catch (error) {
  exitOnStartupFailure(name, error);
}
