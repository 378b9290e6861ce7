/**
 * The notification service end to end: orders placed through the orchestrator, their events on
 * order-events, the mails in the real SMTP sink and the SMS in the gateway sink
 * (scripts/notification-sinks.ts, started by npm test). docs/notifications.md.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Topics } from '../../lib/kafka/topics.ts';
import {
  firstMessageHeaders,
  groupOf,
  type KafkaHarness,
  openKafkaHarness,
  waitForCommittedPast,
} from '../support/kafka-harness.ts';
import { http, orderBody, placeOrder, urls, waitForStatus } from '../support/system-under-test.ts';
import { bearer } from '../support/tokens.ts';
import { waitFor } from '../support/wait-for.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run e2e specs through npm test`);
  return value;
};
const sinks = () => env('NOTIFICATION_SINKS_URL');
const notificationsUrl = () => env('NOTIFICATIONS_URL');

interface Mail {
  messageId: string;
  to: string[];
  subject: string;
  text: string;
}
interface Sms {
  to: string;
  text: string;
  messageId: string;
}

const mailsTo = async (email: string): Promise<Mail[]> =>
  (await http('GET', `${sinks()}/messages?to=${encodeURIComponent(email)}`)).body.messages;
const smsTo = async (phone: string): Promise<Sms[]> =>
  (await http('GET', `${sinks()}/sms?to=${encodeURIComponent(phone)}`)).body.messages;

/** Waits until the sink holds `count` mails for `email`, and returns them. */
const waitForMails = (email: string, count: number) =>
  waitFor(`${count} mails to ${email}`, async () => {
    const mails = await mailsTo(email);
    return mails.length >= count ? mails : undefined;
  });

const idOf = (orderId: string, event: string, channel: string) =>
  `<${orderId}.${event}.${channel}@order-saga.local>`;

/** An order with a contact unique to this test. */
const withContact = (overrides: Parameters<typeof orderBody>[0] = {}) => {
  const tag = randomUUID().slice(0, 8);
  const body = orderBody(overrides);
  const phone = `+4915${String(Number.parseInt(tag, 16) % 10_000_000_000).padStart(10, '0')}`;
  return {
    body: { ...body, contact: { email: `ada-${tag}@example.com`, phone } },
    phone,
    email: `ada-${tag}@example.com`,
  };
};

describe('notifications', () => {
  let harness: KafkaHarness;
  before(async () => {
    harness = await openKafkaHarness('e2e-notifications');
  });
  after(() => harness.close());

  test('a completed order: exactly the placed and confirmed emails and SMS; a duplicated event sends nothing twice', async () => {
    const { body, email, phone } = withContact({ quantity: 2 });
    const orderId = await placeOrder(body);
    const order = await waitForStatus(orderId, ['COMPLETED']);
    assert.deepEqual(order.contact, body.contact, 'stored with the order');

    const mails = await waitForMails(email, 2);
    assert.deepEqual(mails.map((m) => m.messageId).sort(), [
      idOf(orderId, 'OrderCompleted', 'email'),
      idOf(orderId, 'OrderPlaced', 'email'),
    ]);
    const confirmed = mails.find((m) => m.messageId === idOf(orderId, 'OrderCompleted', 'email'));
    assert.match(confirmed?.subject ?? '', /is confirmed$/);
    assert.match(confirmed?.text ?? '', /€39\.98 has been charged/, 'the catalog total, 2 × 19.99');
    const texts = await waitFor('2 SMS', async () => {
      const sms = await smsTo(phone);
      return sms.length >= 2 ? sms : undefined;
    });
    assert.deepEqual(texts.map((s) => s.messageId).sort(), [
      idOf(orderId, 'OrderCompleted', 'sms'),
      idOf(orderId, 'OrderPlaced', 'sms'),
    ]);

    // The customer sees what was sent; another customer does not.
    const own = await http(
      'GET',
      `${notificationsUrl()}/notifications?orderId=${orderId}`,
      undefined,
      bearer('customer', body.customerId),
    );
    assert.equal(own.status, 200);
    assert.equal(own.body.notifications.length, 4);
    const other = await http(
      'GET',
      `${notificationsUrl()}/notifications?orderId=${orderId}`,
      undefined,
      bearer('customer', 'someone-else'),
    );
    assert.equal(other.status, 404);

    // OrderPlaced and OrderCompleted published again, as new messages (the inbox does not know them).
    const republish = async (type: 'OrderPlaced' | 'OrderCompleted', payload: object) => {
      const value = await harness.codec.encode(type, payload as never);
      const [meta] = await harness.producer.send({
        topic: Topics.orderEvents,
        messages: [{ key: orderId, value, headers: firstMessageHeaders(type, orderId, randomUUID()) }],
      });
      assert.ok(meta);
      return meta;
    };
    await republish('OrderPlaced', {
      orderId,
      customerId: body.customerId,
      items: [{ sku: 'SKU-001', quantity: 2, unitPrice: null }],
      total: null,
      currency: 'EUR',
      contact: { email, phone },
    });
    const last = await republish('OrderCompleted', { orderId, total: 3998, currency: 'EUR' });
    await waitForCommittedPast(
      harness.admin,
      groupOf('notifications'),
      Topics.orderEvents,
      last.partition,
      last.baseOffset ?? '0',
    );
    const after = await mailsTo(email);
    assert.equal(after.length, 2, 'no mail sent twice');
    assert.equal(new Set(after.map((m) => m.messageId)).size, 2, 'distinct Message-IDs');
    assert.equal((await smsTo(phone)).length, 2, 'no SMS sent twice');
  });

  test('an order through DELIVERED: exactly the placed, confirmed, shipped and delivered emails and SMS', async () => {
    const { body, email, phone } = withContact();
    const orderId = await placeOrder(body);
    await waitForStatus(orderId, ['COMPLETED']);
    const shipment = await http('GET', `${urls.shipping}/shipments/${orderId}`);
    assert.equal(shipment.status, 200);
    const { shipmentId } = shipment.body as { shipmentId: string };
    // The carrier, by hand (the simulated one is off in tests).
    const carrierEvent = (type: string, at: string) =>
      http('POST', `${urls.shipping}/shipments/${shipmentId}/events`, { type, at }, bearer('carrier'));
    const pickedUpAt = new Date().toISOString();
    assert.equal((await carrierEvent('PICKED_UP', pickedUpAt)).status, 200);
    assert.equal(
      (await carrierEvent('DELIVERED', new Date(Date.parse(pickedUpAt) + 1_000).toISOString())).status,
      200,
    );
    const events = ['OrderPlaced', 'OrderCompleted', 'OrderShipped', 'OrderDelivered'];
    const mails = await waitForMails(email, events.length);
    assert.deepEqual(
      mails.map((m) => m.messageId).sort(),
      events.map((e) => idOf(orderId, e, 'email')).sort(),
    );
    const subjects = new Map(mails.map((m) => [m.messageId, m.subject]));
    assert.match(subjects.get(idOf(orderId, 'OrderShipped', 'email')) ?? '', /is on its way$/);
    assert.match(subjects.get(idOf(orderId, 'OrderDelivered', 'email')) ?? '', /delivered/);
    const texts = await waitFor(`${events.length} SMS`, async () => {
      const sms = await smsTo(phone);
      return sms.length >= events.length ? sms : undefined;
    });
    assert.deepEqual(texts.map((t) => t.messageId).sort(), events.map((e) => idOf(orderId, e, 'sms')).sort());
  });

  test('a cancelled order gets its cancel email, the reason in words', async () => {
    const { body, email } = withContact({ paymentToken: 'tok_decline' });
    const orderId = await placeOrder(body);
    await waitForStatus(orderId, ['CANCELLED']);
    const mails = await waitForMails(email, 2);
    const cancelled = mails.find((m) => m.messageId === idOf(orderId, 'OrderCancelled', 'email'));
    assert.ok(cancelled, JSON.stringify(mails.map((m) => m.messageId)));
    assert.match(cancelled.subject, /was cancelled$/);
    assert.match(cancelled.text, /because the payment was declined\./);
    assert.equal(mails.length, 2, 'placed and cancelled, nothing else');
  });

  test('an order without a contact is placed as before; a malformed contact is a 400 naming the field', async () => {
    const orderId = await placeOrder(orderBody());
    const order = await waitForStatus(orderId, ['COMPLETED']);
    assert.equal(order.contact, null);
    const bad = await http('POST', `${urls.orchestrator}/orders`, {
      ...orderBody(),
      contact: { email: 'not-an-address' },
    });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /contact\.email/);
    const badPhone = await http('POST', `${urls.orchestrator}/orders`, {
      ...orderBody(),
      contact: { email: 'a@example.com', phone: '0151 123' },
    });
    assert.equal(badPhone.status, 400);
    assert.match(JSON.stringify(badPhone.body), /contact\.phone/);
  });
});
