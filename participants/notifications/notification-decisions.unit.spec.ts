import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { enumSymbols, type TypedRecord } from '../../lib/contracts/generated.ts';
import { notificationMessageId } from './message-id.ts';
import { type DecisionOptions, decideNotifications, type OrderContact } from './notification-decisions.ts';
import { loadTemplates } from './templates.ts';

const options: DecisionOptions = {
  templates: loadTemplates(),
  locale: 'en',
  messageIdDomain: 'shop.example',
};
const orderId = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const contact: OrderContact = {
  orderId,
  customerId: 'c-1',
  email: 'ada@example.com',
  phone: '+4915112345678',
};

const placed = (given: { email: string; phone: string | null } | null): TypedRecord => ({
  type: 'OrderPlaced',
  payload: {
    orderId: orderId.toUpperCase(),
    customerId: 'c-1',
    items: [
      { sku: 'SKU-001', quantity: 2, unitPrice: null },
      { sku: 'SKU-002', quantity: 1, unitPrice: null },
    ],
    total: null,
    currency: 'EUR',
    contact: given,
  },
});

const notify = (record: TypedRecord, known: OrderContact | undefined) => {
  const decision = decideNotifications(record, known, options);
  assert.equal(decision.kind, 'notify', JSON.stringify(decision));
  return decision.kind === 'notify' ? decision : assert.fail();
};

describe('decideNotifications', () => {
  test('OrderPlaced with a contact: keeps the contact and sends an email and an SMS, each with its stable Message-ID', () => {
    const decision = notify(placed({ email: 'ada@example.com', phone: '+4915112345678' }), undefined);
    assert.deepEqual(decision.newContact, contact, 'the order id in lower case');
    assert.deepEqual(
      decision.notifications.map((n) => [n.channel, n.recipient, n.messageId]),
      [
        ['email', 'ada@example.com', notificationMessageId(orderId, 'OrderPlaced', 'email', 'shop.example')],
        ['sms', '+4915112345678', notificationMessageId(orderId, 'OrderPlaced', 'sms', 'shop.example')],
      ],
    );
    const [email, sms] = decision.notifications;
    assert.equal(email?.subject, `We received your order ${orderId.slice(0, 8)}`);
    assert.match(email?.text ?? '', /3 item\(s\), total to be confirmed/);
    assert.equal(sms?.subject, null);
    assert.match(sms?.text ?? '', /\(3 item\(s\), to be confirmed\)/);
  });

  test('no phone: the email only', () => {
    const decision = notify(placed({ email: 'ada@example.com', phone: null }), undefined);
    assert.deepEqual(
      decision.notifications.map((n) => n.channel),
      ['email'],
    );
  });

  test('an order placed without a contact, and its later events: nothing is sent', () => {
    assert.deepEqual(decideNotifications(placed(null), undefined, options), {
      kind: 'ignore',
      reason: 'no_contact',
    });
    const completed: TypedRecord = {
      type: 'OrderCompleted',
      payload: { orderId, total: 3998, currency: 'EUR' },
    };
    assert.deepEqual(decideNotifications(completed, undefined, options), {
      kind: 'ignore',
      reason: 'no_contact',
    });
  });

  test('OrderPlaced again for a known contact: the contact is not written twice, the same notifications come out', () => {
    const first = notify(placed({ email: 'ada@example.com', phone: '+4915112345678' }), undefined);
    const again = notify(placed({ email: 'ada@example.com', phone: '+4915112345678' }), contact);
    assert.equal(again.newContact, null);
    assert.deepEqual(again.notifications, first.notifications);
  });

  test('OrderCompleted: confirmed, with the charged total in the locale’s money format', () => {
    const decision = notify(
      { type: 'OrderCompleted', payload: { orderId, total: 3998, currency: 'EUR' } },
      contact,
    );
    assert.deepEqual(
      decision.notifications.map((n) => [n.event, n.channel]),
      [
        ['OrderCompleted', 'email'],
        ['OrderCompleted', 'sms'],
      ],
    );
    assert.match(decision.notifications[0]?.text ?? '', /€39\.98 has been charged/);
    const german = decideNotifications(
      { type: 'OrderCompleted', payload: { orderId, total: 3998, currency: 'EUR' } },
      contact,
      { ...options, locale: 'de' },
    );
    assert.ok(german.kind === 'notify');
    assert.match(german.notifications[0]?.text ?? '', /39,98\s€ wurden abgebucht/);
  });

  test('OrderCancelled: the reason in words, for every reason', () => {
    for (const reason of enumSymbols.CancelReason) {
      const decision = notify({ type: 'OrderCancelled', payload: { orderId, reason } }, contact);
      const [email] = decision.notifications;
      assert.ok(email);
      assert.doesNotMatch(email.text, new RegExp(reason), `${reason} is said in words, not as its code`);
      assert.match(email.text, /was cancelled because \w+/);
    }
    const declined = notify(
      { type: 'OrderCancelled', payload: { orderId, reason: 'payment_declined' } },
      contact,
    );
    assert.match(declined.notifications[0]?.text ?? '', /because the payment was declined\./);
  });

  test('OrderFailed: the customer is told once by email that it is being looked into; no SMS', () => {
    const decision = notify(
      { type: 'OrderFailed', payload: { orderId, pendingStep: 'ReleaseStock', reason: 'handler failed' } },
      contact,
    );
    assert.deepEqual(
      decision.notifications.map((n) => n.channel),
      ['email'],
    );
    assert.doesNotMatch(decision.notifications[0]?.text ?? '', /ReleaseStock|handler failed/, 'no internals');
  });

  test('OrderStatusChanged tells the customer nothing', () => {
    const record: TypedRecord = {
      type: 'OrderStatusChanged',
      payload: { orderId, status: 'completed', sagaState: 'COMPLETED', previousSagaState: 'SHIPPING' },
    };
    assert.deepEqual(decideNotifications(record, contact, options), {
      kind: 'ignore',
      reason: 'not_notified',
    });
  });
});
