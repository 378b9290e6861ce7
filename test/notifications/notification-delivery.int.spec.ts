/**
 * The notification handler against real PostgreSQL, the real SMTP sink over SMTP and the SMS sink
 * over HTTP: what goes out once, what a refusal and an outage do. Ports: TEST_PORT_BASE + 82…85.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { TypedRecord } from '../../lib/contracts/generated.ts';
import type { IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import { isTransientError } from '../../lib/messaging/transient-errors.ts';
import { buildApp } from '../../participants/notifications/app.ts';
import { createMailSender, type MailSender } from '../../participants/notifications/mail-sender.ts';
import { createNotificationHandler } from '../../participants/notifications/notification-handler.ts';
import { noNotificationMetrics } from '../../participants/notifications/notification-metrics.ts';
import { createSmsSender } from '../../participants/notifications/sms-gateway.ts';
import { loadTemplates } from '../../participants/notifications/templates.ts';
import { type MailSink, startMailSink } from '../../scripts/sinks/mail-sink.ts';
import { buildSinkApp } from '../../scripts/sinks/sink-app.ts';
import { SmsSink } from '../../scripts/sinks/sms-sink.ts';
import { commandMessage, silentLogger } from '../support/participant-fixtures.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/throwaway-database.ts';
import { bearer, testAuthConfig } from '../support/tokens.ts';

const base = Number(process.env.TEST_PORT_BASE ?? 3100);
const smtpPort = base + 82;
const smsPort = base + 83;
/** Nothing listens here: the SMTP server is down. */
const downSmtpPort = base + 84;

let database: ThrowawayDatabase;
let mailSink: MailSink;
let sinkApp: FastifyInstance;
const smsSink = new SmsSink();
const templates = loadTemplates();
const senders: MailSender[] = [];

const mailSenderTo = (port: number): MailSender => {
  const sender = createMailSender({
    host: '127.0.0.1',
    port,
    secure: false,
    user: null,
    password: null,
    from: 'Shop <orders@shop.example>',
    timeoutMs: 2_000,
  });
  senders.push(sender);
  return sender;
};

const handlerWith = (mailPort = smtpPort) =>
  createNotificationHandler(
    {
      db: database.db,
      senders: {
        email: mailSenderTo(mailPort),
        sms: createSmsSender({ url: `http://127.0.0.1:${smsPort}/sms`, token: null, timeoutMs: 2_000 }),
      },
      clock: () => new Date(),
      logger: silentLogger,
      observer: noNotificationMetrics,
    },
    { templates, locale: 'en', messageIdDomain: 'shop.example' },
  );

const message = (record: TypedRecord & { payload: { orderId: string } }): IncomingMessage =>
  commandMessage('order-events', record);

const placed = (orderId: string, email: string, phone: string | null = null) =>
  message({
    type: 'OrderPlaced',
    payload: {
      orderId,
      customerId: `c-${orderId.slice(0, 8)}`,
      items: [{ sku: 'SKU-001', quantity: 1, unitPrice: null }],
      total: null,
      currency: 'EUR',
      contact: { email, phone },
    },
  });
const completed = (orderId: string) =>
  message({ type: 'OrderCompleted', payload: { orderId, total: 1999, currency: 'EUR' } });

const run = (handler: ReturnType<typeof handlerWith>, messages: IncomingMessage[]) =>
  database.units.run((unit) => handler(unit, messages));

const mailsTo = (address: string) => mailSink.messages().filter((m) => m.to.includes(address));
const sentRows = (orderId: string) =>
  database.db('notifications.sent').where({ order_id: orderId }).orderBy(['event', 'channel']);

before(async () => {
  database = await createThrowawayDatabase({ poolMax: 5 });
  mailSink = await startMailSink({ port: smtpPort });
  sinkApp = buildSinkApp(mailSink, smsSink);
  await sinkApp.listen({ host: '127.0.0.1', port: smsPort });
});
after(async () => {
  for (const sender of senders) sender.close();
  await sinkApp.close();
  await mailSink.close();
  await database.drop();
});

describe('notification delivery', () => {
  let orderId: string;
  let email: string;
  beforeEach(() => {
    orderId = randomUUID();
    email = `ada-${orderId.slice(0, 8)}@example.com`;
  });

  test('OrderPlaced then OrderCompleted in one batch: the mails reach the SMTP sink with their Message-IDs, the SMS the gateway; each recorded once', async () => {
    const handler = handlerWith();
    const phone = `+49151${String(Date.now()).slice(-7)}`;
    await run(handler, [placed(orderId, email, phone), completed(orderId)]);

    const mails = mailsTo(email);
    assert.deepEqual(mails.map((m) => m.messageId).sort(), [
      `<${orderId}.OrderCompleted.email@shop.example>`,
      `<${orderId}.OrderPlaced.email@shop.example>`,
    ]);
    assert.ok(mails.some((m) => m.subject === `Your order ${orderId.slice(0, 8)} is confirmed`));
    assert.equal(mails[0]?.headers['x-order-id'], orderId);
    assert.deepEqual(
      smsSink
        .messages()
        .filter((m) => m.to === phone)
        .map((m) => m.messageId)
        .sort(),
      [`<${orderId}.OrderCompleted.sms@shop.example>`, `<${orderId}.OrderPlaced.sms@shop.example>`],
    );
    const rows = await sentRows(orderId);
    assert.deepEqual(
      rows.map((r) => [r.event, r.channel, r.status, r.recipient]),
      [
        ['OrderCompleted', 'email', 'sent', email],
        ['OrderCompleted', 'sms', 'sent', phone],
        ['OrderPlaced', 'email', 'sent', email],
        ['OrderPlaced', 'sms', 'sent', phone],
      ],
    );
    const contact = await database.db('notifications.contacts').where({ order_id: orderId }).first();
    assert.equal(contact?.email, email);

    // The same events again (new message ids: the inbox does not know them): nothing is sent twice.
    await run(handlerWith(), [placed(orderId, email, phone), completed(orderId)]);
    assert.equal(mailsTo(email).length, 2);
    assert.equal(smsSink.messages().filter((m) => m.to === phone).length, 2);
  });

  test('a rejected address (SMTP 550) and a refused number: recorded as failed with the reason, not retried, the batch goes on', async () => {
    const rejected = `rejected-${orderId.slice(0, 8)}@example.com`;
    await run(handlerWith(), [placed(orderId, rejected, '+99912345678')]);
    const rows = await sentRows(orderId);
    assert.deepEqual(
      rows.map((r) => [r.channel, r.status]),
      [
        ['email', 'failed'],
        ['sms', 'failed'],
      ],
    );
    assert.match(rows[0]?.failure ?? '', /^550 /);
    assert.match(rows[1]?.failure ?? '', /^422 /);
    assert.equal(mailsTo(rejected).length, 0);

    await run(handlerWith(), [completed(orderId)]);
    assert.equal((await sentRows(orderId)).length, 4, 'the next event is still tried');
    await run(handlerWith(), [placed(orderId, rejected, '+99912345678')]);
    assert.equal((await sentRows(orderId)).length, 4, 'a refusal is not tried again');
  });

  test('the SMTP server down: a transient error the consumer waits out, nothing recorded; once it is up, sent once', async () => {
    const down = handlerWith(downSmtpPort);
    const failure = await run(down, [placed(orderId, email)]).then(
      () => assert.fail('the batch must fail while the server is down'),
      (error: unknown) => error,
    );
    assert.ok(isTransientError(failure), `transient by its type: ${(failure as Error).message}`);
    assert.equal((failure as Error).name, 'TransientDeliveryError');
    assert.equal((await sentRows(orderId)).length, 0);
    assert.equal(
      await database.db('notifications.contacts').where({ order_id: orderId }).first(),
      undefined,
      'the batch rolled back',
    );

    const sink = await startMailSink({ port: downSmtpPort });
    try {
      await run(down, [placed(orderId, email)]);
      assert.deepEqual(
        sink.messages().map((m) => m.messageId),
        [`<${orderId}.OrderPlaced.email@shop.example>`],
      );
    } finally {
      await sink.close();
    }
  });

  test('an outage after a mail went out: the retried batch does not send that mail again', async () => {
    const second = randomUUID();
    const secondEmail = `bob-${second.slice(0, 8)}@example.com`;
    // The mail of the first order goes out; the second order's SMS gateway is down (port closed).
    const handler = createNotificationHandler(
      {
        db: database.db,
        senders: {
          email: mailSenderTo(smtpPort),
          sms: createSmsSender({
            url: `http://127.0.0.1:${downSmtpPort}/sms`,
            token: null,
            timeoutMs: 1_000,
          }),
        },
        clock: () => new Date(),
        logger: silentLogger,
        observer: noNotificationMetrics,
      },
      { templates, locale: 'en', messageIdDomain: 'shop.example' },
    );
    const batch = [placed(orderId, email), placed(second, secondEmail, '+4915100000001')];
    await assert.rejects(run(handler, batch), (error: unknown) => isTransientError(error));
    assert.equal(mailsTo(email).length, 1);
    assert.equal(mailsTo(secondEmail).length, 1, 'the email before the SMS went out');
    await run(handlerWith(), batch);
    assert.equal(mailsTo(email).length, 1, 'recorded at once, not sent again');
    assert.equal(mailsTo(secondEmail).length, 1);
    assert.equal((await sentRows(second)).length, 2);
  });
});

describe('GET /notifications?orderId=', () => {
  let app: FastifyInstance;
  const orderId = randomUUID();
  const customer = `c-${orderId.slice(0, 8)}`;
  before(async () => {
    await run(handlerWith(), [placed(orderId, `eve-${orderId.slice(0, 8)}@example.com`)]);
    app = await buildApp({ db: database.db, logger: silentLogger, auth: testAuthConfig() });
  });
  after(() => app.close());

  test('the order’s customer and an operator see what was sent; another customer gets 404', async () => {
    const own = await app.inject({
      url: `/notifications?orderId=${orderId}`,
      headers: bearer('customer', customer),
    });
    assert.equal(own.statusCode, 200, own.body);
    const body = own.json() as { notifications: Array<{ event: string; channel: string; status: string }> };
    assert.deepEqual(
      body.notifications.map((n) => [n.event, n.channel, n.status]),
      [['OrderPlaced', 'email', 'sent']],
    );
    const operator = await app.inject({
      url: `/notifications?orderId=${orderId}`,
      headers: bearer('operator'),
    });
    assert.equal(operator.statusCode, 200);
    const other = await app.inject({
      url: `/notifications?orderId=${orderId}`,
      headers: bearer('customer', 'c-else'),
    });
    assert.equal(other.statusCode, 404);
    const unknown = await app.inject({
      url: `/notifications?orderId=${randomUUID()}`,
      headers: bearer('operator'),
    });
    assert.equal(unknown.statusCode, 404);
  });

  test('orderId is required and must be a UUID: 400 naming it', async () => {
    const missing = await app.inject({ url: '/notifications', headers: bearer('operator') });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.body, /orderId/);
    const bad = await app.inject({ url: '/notifications?orderId=nope', headers: bearer('operator') });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /orderId/);
  });
});
