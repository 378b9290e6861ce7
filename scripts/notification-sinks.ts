/**
 * The local stack's notification sinks, one process (started by `npm start`, the e2e tests and
 * docker-compose.yml): a real SMTP server that keeps what it receives (SINK_SMTP_PORT, default 2525)
 * and an HTTP port (SINK_HTTP_PORT, default 3005) with the mails (`GET /messages`), the SMS gateway
 * (`POST /sms`, `GET /sms`) and a page (`GET /`). Nothing leaves the machine. SINK_HOST (default
 * 127.0.0.1) is where both listen. See docs/notifications.md.
 */
import { EnvReader } from '../lib/config/env.ts';
import { finishConfig } from '../lib/service/startup.ts';
import { startMailSink } from './sinks/mail-sink.ts';
import { buildSinkApp } from './sinks/sink-app.ts';
import { SmsSink } from './sinks/sms-sink.ts';

const reader = new EnvReader(process.env);
const host = reader.string('SINK_HOST', '127.0.0.1');
const smtpPort = reader.int('SINK_SMTP_PORT', 2525, { min: 1, max: 65_535 });
const httpPort = reader.int('SINK_HTTP_PORT', 3005, { min: 1, max: 65_535 });
try {
  finishConfig(reader);
} catch (error) {
  process.stderr.write(`notification-sinks could not start: ${(error as Error).message}\n`);
  process.exit(1);
}

const mail = await startMailSink({ host, port: smtpPort });
const app = buildSinkApp(mail, new SmsSink());
await app.listen({ host, port: httpPort });
process.stdout.write(`notification sinks: SMTP ${host}:${smtpPort}, HTTP http://${host}:${httpPort}/\n`);

const stop = async () => {
  await app.close();
  await mail.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
