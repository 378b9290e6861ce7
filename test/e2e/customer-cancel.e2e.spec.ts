import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  clearFaults,
  getOrder,
  historyOf,
  http,
  orderBody,
  placeOrder,
  setFault,
  stockOf,
  urls,
  waitForStatus,
} from '../support/system-under-test.ts';
import { bearer } from '../support/tokens.ts';
import { waitFor } from '../support/wait-for.ts';

type HistoryItem = {
  kind: string;
  type: string;
  messageId: string | null;
  detail: Record<string, unknown> | null;
};

/** The customer cancels: while a step's command is in flight, and after COMPLETED. */
describe('customer cancel', () => {
  afterEach(clearFaults);

  const cancelAs = (customerId: string, orderId: string) =>
    http('POST', `${urls.orchestrator}/orders/${orderId}/cancel`, undefined, bearer('customer', customerId));
  const paymentOf = async (orderId: string) => {
    const result = await http('GET', `${urls.payment}/payments/${orderId}`);
    assert.equal(result.status, 200);
    return result.body as { status: string; ledger: Array<{ kind: string; amount: number }> };
  };

  test('while ProcessPayment is in flight: the charge that still happens is refunded, the stock released, each once; its late reply is rejected', async () => {
    // Payment holds ProcessPayment for 2 s (less than its two 1.5 s deadlines): the cancel lands while it is in flight.
    await setFault('payment', { mode: 'slow', delayMs: 2000, commands: ['ProcessPayment'] });
    const before = await stockOf('SKU-008');
    const body = orderBody({ sku: 'SKU-008', quantity: 3 });
    const orderId = await placeOrder(body);
    await waitFor(`order ${orderId} in processingPayment`, async () => {
      const { body: order } = await getOrder(orderId);
      return order?.saga?.state === 'processingPayment' ? order : undefined;
    });
    const cancelled = await cancelAs(body.customerId, orderId);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.saga.state, 'refundingPayment');

    const done = await waitForStatus(orderId, ['CANCELLED', 'COMPLETED', 'FAILED']);
    assert.equal(done.status, 'CANCELLED');
    assert.equal(done.cancelReason, 'customer_cancelled');
    const history = done.saga.history as HistoryItem[];
    // The refund waits behind the held charge on payment's partition: it may be re-sent after its
    // deadline, always with the same message id (payment's inbox applies it once).
    const refunds = history.filter((h) => h.kind === 'command_sent' && h.type === 'RefundPayment');
    assert.equal(new Set(refunds.map((h) => h.messageId)).size, 1);
    assert.deepEqual(
      historyOf(done)
        .filter((h) => /^(command_sent|reply_received|customer_action)/.test(h))
        .filter((h, i, all) => h !== all[i - 1]),
      [
        'command_sent:ReserveStock',
        'reply_received:StockReserved',
        'command_sent:ProcessPayment',
        'customer_action:CANCEL',
        'command_sent:RefundPayment',
        'reply_received:PaymentRefunded',
        'command_sent:ReleaseStock',
        'reply_received:StockReleased',
      ],
    );
    const late = history.find((h) => h.kind === 'reply_rejected' && h.type === 'PaymentSucceeded');
    assert.equal(
      late?.detail?.reason,
      'earlier_step',
      'the late PaymentSucceeded did not resurrect the order',
    );
    const refund = history.find((h) => h.type === 'PaymentRefunded');
    assert.equal(refund?.detail?.refunded, true, 'the charge made after the cancel was refunded');

    const payment = await paymentOf(orderId);
    assert.equal(payment.status, 'REFUNDED');
    assert.deepEqual(
      payment.ledger.map((e) => e.kind),
      ['charge', 'refund'],
      'charged once, refunded once',
    );
    assert.equal(await stockOf('SKU-008'), before, 'released exactly once');

    // Cancelling a cancelled order: a no-op, the same order.
    const again = await cancelAs(body.customerId, orderId);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'CANCELLED');
    assert.equal(again.body.saga.version, done.saga.version);
  });

  test('after COMPLETED: shipping cancelled, payment refunded, stock released, each once', async () => {
    const before = await stockOf('SKU-004');
    const body = orderBody({ sku: 'SKU-004', quantity: 2 });
    const orderId = await placeOrder(body);
    const completed = await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED']);
    assert.equal(completed.status, 'COMPLETED');

    assert.equal((await cancelAs('someone-else', orderId)).status, 404, "another customer's order");
    const cancelled = await cancelAs(body.customerId, orderId);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.saga.state, 'cancellingShipping');
    const done = await waitForStatus(orderId, ['CANCELLED', 'FAILED']);
    assert.equal(done.status, 'CANCELLED');
    assert.equal(done.cancelReason, 'customer_cancelled');
    assert.deepEqual(
      historyOf(done)
        .filter((h) => /^(command_sent|reply_received|customer_action)/.test(h))
        .slice(6),
      [
        'customer_action:CANCEL',
        'command_sent:CancelShipping',
        'reply_received:ShippingCancelled',
        'command_sent:RefundPayment',
        'reply_received:PaymentRefunded',
        'command_sent:ReleaseStock',
        'reply_received:StockReleased',
      ],
    );
    assert.ok(historyOf(done).includes('order_event:OrderCompleted'));
    assert.ok(historyOf(done).includes('order_event:OrderCancelled'));

    const shipment = await http('GET', `${urls.shipping}/shipments/${orderId}`);
    assert.equal(shipment.status, 200);
    assert.equal(shipment.body.status, 'CANCELLED');
    const payment = await paymentOf(orderId);
    assert.equal(payment.status, 'REFUNDED');
    assert.deepEqual(
      payment.ledger.map((e) => e.kind),
      ['charge', 'refund'],
    );
    assert.equal(await stockOf('SKU-004'), before);
  });

  test('a FAILED order refuses a cancel with a 409 that points to the operator retry', async () => {
    await setFault('inventory', { mode: 'fail', commands: ['ReleaseStock'] });
    const body = orderBody({ sku: 'SKU-007', quantity: 1, paymentToken: 'tok_decline' });
    const orderId = await placeOrder(body);
    const failed = await waitForStatus(orderId, ['FAILED', 'CANCELLED', 'COMPLETED']);
    assert.equal(failed.status, 'FAILED');
    const refused = await cancelAs(body.customerId, orderId);
    assert.equal(refused.status, 409);
    assert.match(refused.body.message, /FAILED.*operator retry/);
    await clearFaults();
    assert.equal((await http('POST', `${urls.orchestrator}/orders/${orderId}/retry`)).status, 202);
    assert.equal((await waitForStatus(orderId, ['CANCELLED', 'FAILED'])).status, 'CANCELLED');
  });
});
