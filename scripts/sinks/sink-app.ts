/**
 * The sinks' HTTP side, for people and tests (no auth: a local tool, listening on 127.0.0.1 by
 * default): `GET /messages` (mails, `?to=` filters by recipient), `GET /sms` (`?to=` too),
 * `POST /sms` (the SMS gateway), `DELETE /messages` and `DELETE /sms` (forget), `GET /` (a page
 * listing both), `GET /health/ready`.
 */
import { type FastifyInstance, fastify } from 'fastify';
import type { MailSink } from './mail-sink.ts';
import type { SmsSink } from './sms-sink.ts';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const byRecipient = <T>(items: readonly T[], to: string | undefined, recipients: (item: T) => string[]) =>
  to === undefined ? items : items.filter((item) => recipients(item).includes(to));

export function buildSinkApp(mail: MailSink, sms: SmsSink): FastifyInstance {
  const app = fastify({ logger: false });
  app.get<{ Querystring: { to?: string } }>('/messages', async (request) => ({
    messages: byRecipient(mail.messages(), request.query.to, (m) => m.to),
  }));
  app.delete('/messages', async (_request, reply) => {
    mail.clear();
    return reply.code(204).send();
  });
  app.get<{ Querystring: { to?: string } }>('/sms', async (request) => ({
    messages: byRecipient(sms.messages(), request.query.to, (m) => [m.to]),
  }));
  app.post('/sms', async (request, reply) => {
    const result = sms.accept(request.body);
    if (result.accepted) return reply.code(202).send({ accepted: true });
    return reply.code(result.status).send({ error: result.problem });
  });
  app.delete('/sms', async (_request, reply) => {
    sms.clear();
    return reply.code(204).send();
  });
  app.get('/health/ready', async () => ({ status: 'ok' }));
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/', async (_request, reply) => {
    const mails = [...mail.messages()].reverse().slice(0, 200);
    const texts = [...sms.messages()].reverse().slice(0, 200);
    const rows = mails
      .map(
        (m) =>
          `<tr><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to.join(', '))}</td><td>${escapeHtml(m.subject)}</td><td><code>${escapeHtml(m.messageId ?? '')}</code></td><td><pre>${escapeHtml(m.text)}</pre></td></tr>`,
      )
      .join('');
    const smsRows = texts
      .map(
        (m) =>
          `<tr><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to)}</td><td>${escapeHtml(m.text)}</td><td><code>${escapeHtml(m.messageId ?? '')}</code></td></tr>`,
      )
      .join('');
    return reply
      .type('text/html; charset=utf-8')
      .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(`<!doctype html><html><head><meta charset="utf-8"><title>Notification sinks</title>
<style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px;vertical-align:top;text-align:left}pre{margin:0;white-space:pre-wrap}</style></head>
<body><h1>Mail sink (${mail.messages().length})</h1><p>SMTP on port ${mail.port}; JSON: <a href="/messages">/messages</a>. Newest first, last 200.</p>
<table><tr><th>received</th><th>to</th><th>subject</th><th>Message-ID</th><th>text</th></tr>${rows}</table>
<h1>SMS sink (${sms.messages().length})</h1><p>JSON: <a href="/sms">/sms</a>.</p>
<table><tr><th>received</th><th>to</th><th>text</th><th>id</th></tr>${smsRows}</table></body></html>`);
  });
  return app;
}
