import assert from 'node:assert/strict';
import { test } from 'node:test';
import { notificationMessageId } from './message-id.ts';

const orderId = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

test('the same (order, event, channel) always has the same Message-ID; any other has another', () => {
  const id = notificationMessageId(orderId, 'OrderPlaced', 'email', 'shop.example');
  assert.equal(id, `<${orderId}.OrderPlaced.email@shop.example>`);
  assert.equal(notificationMessageId(orderId.toUpperCase(), 'OrderPlaced', 'email', 'SHOP.example'), id);
  const others = [
    notificationMessageId(orderId, 'OrderPlaced', 'sms', 'shop.example'),
    notificationMessageId(orderId, 'OrderCompleted', 'email', 'shop.example'),
    notificationMessageId('0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c', 'OrderPlaced', 'email', 'shop.example'),
  ];
  assert.equal(new Set([id, ...others]).size, 4);
});

test('a part that is not dot-atom text (RFC 5322) is refused, never written into a header', () => {
  assert.throws(() => notificationMessageId(orderId, 'Order Placed', 'email', 'shop.example'), /event/);
  assert.throws(() => notificationMessageId(orderId, 'OrderPlaced', 'email', 'shop>example'), /domain/);
  assert.throws(
    () => notificationMessageId(`${orderId}\r\nBcc: x`, 'OrderPlaced', 'email', 'a.b'),
    /orderId/,
  );
});
