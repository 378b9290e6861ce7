import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import {
  catalogPriceOf,
  clearFaults,
  historyOf,
  http,
  orderBody,
  placeOrder,
  stockOf,
  urls,
  waitForStatus,
} from '../support/system-under-test.ts';

/** The saga through HTTP only: happy path and every business-failure compensation. */
describe('order saga, end to end', () => {
  afterEach(clearFaults);

  test('happy path: COMPLETED at the catalog total, history in order, stock taken once', async () => {
    const before = await stockOf('SKU-002');
    const unitPrice = await catalogPriceOf('SKU-002');
    const response = await http(
      'POST',
      `${urls.orchestrator}/orders`,
      orderBody({ sku: 'SKU-002', quantity: 3 }),
    );
    assert.equal(response.status, 202);
    assert.equal(response.body.status, 'PENDING');
    assert.equal(response.headers.get('location'), `/orders/${response.body.orderId}`);

    const order = await waitForStatus(response.body.orderId, ['COMPLETED', 'CANCELLED', 'FAILED']);
    assert.equal(order.status, 'COMPLETED');
    assert.equal(order.cancelReason, undefined);
    assert.equal(order.total, 3 * unitPrice, 'no price sent: the catalog total');
    assert.deepEqual(order.items, [{ sku: 'SKU-002', quantity: 3, unitPrice, expectedUnitPrice: null }]);
    assert.equal(order.saga.state, 'completed');
    assert.deepEqual(historyOf(order), [
      'saga_started:OrderPlaced',
      'order_event:OrderPlaced',
      'command_sent:ReserveStock',
      'reply_received:StockReserved',
      'command_sent:ProcessPayment',
      'reply_received:PaymentSucceeded',
      'command_sent:ScheduleShipping',
      'reply_received:ShippingScheduled',
      'order_event:OrderCompleted',
    ]);
    const transitions = order.saga.history
      .filter((h: { kind: string }) => h.kind === 'reply_received')
      .map((h: { fromState: string; toState: string }) => `${h.fromState}>${h.toState}`);
    assert.deepEqual(transitions, [
      'reservingStock>processingPayment',
      'processingPayment>schedulingShipping',
      'schedulingShipping>completed',
    ]);
    const times = order.saga.history.map((h: { at: string }) => Date.parse(h.at));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'history timestamps are in order',
    );
    assert.equal(await stockOf('SKU-002'), before - 3);

    const payment = await http('GET', `${urls.payment}/payments/${order.orderId}`);
    assert.equal(payment.status, 200);
    assert.equal(payment.body.status, 'CHARGED');
    assert.equal(payment.body.amount, 3 * unitPrice, 'charged the catalog total');
  });

  test('the expected price is the catalog price: COMPLETED and charged it', async () => {
    const unitPrice = await catalogPriceOf('SKU-001');
    const orderId = await placeOrder(orderBody({ sku: 'SKU-001', quantity: 2, unitPrice }));
    const order = await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED']);
    assert.equal(order.status, 'COMPLETED');
    assert.equal(order.total, 2 * unitPrice);
    const payment = await http('GET', `${urls.payment}/payments/${orderId}`);
    assert.equal(payment.body.amount, 2 * unitPrice);
  });

  test('an expected price that is not the catalog price: CANCELLED/price_changed, stock back, nothing charged', async () => {
    const before = await stockOf('SKU-005');
    const unitPrice = await catalogPriceOf('SKU-005');
    const orderId = await placeOrder(orderBody({ sku: 'SKU-005', quantity: 2, unitPrice: 0 }));
    const order = await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED']);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancelReason, 'price_changed');
    assert.deepEqual(
      historyOf(order).filter((h) => h.startsWith('command_sent') || h.startsWith('reply')),
      [
        'command_sent:ReserveStock',
        'reply_received:StockReserved',
        'command_sent:ReleaseStock',
        'reply_received:StockReleased',
      ],
    );
    const reserved = order.saga.history.find((h: { type: string }) => h.type === 'StockReserved');
    assert.deepEqual(reserved.detail.lines, [{ sku: 'SKU-005', quantity: 2, unitPrice, currency: 'EUR' }]);
    assert.deepEqual(order.items, [{ sku: 'SKU-005', quantity: 2, unitPrice, expectedUnitPrice: 0 }]);
    assert.equal(order.total, 2 * unitPrice, 'the catalog total is shown, not charged');
    assert.equal((await http('GET', `${urls.payment}/payments/${orderId}`)).status, 404, 'no payment exists');
    assert.equal(await stockOf('SKU-005'), before);
  });

  test('payment declined (tok_decline): CANCELLED/payment_declined and the stock back to exactly what it was', async () => {
    const before = await stockOf('SKU-003');
    const orderId = await placeOrder(orderBody({ sku: 'SKU-003', quantity: 4, paymentToken: 'tok_decline' }));
    const order = await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED']);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancelReason, 'payment_declined');
    assert.deepEqual(
      historyOf(order).filter((h) => h.startsWith('command_sent') || h.startsWith('reply')),
      [
        'command_sent:ReserveStock',
        'reply_received:StockReserved',
        'command_sent:ProcessPayment',
        'reply_received:PaymentFailed',
        'command_sent:ReleaseStock',
        'reply_received:StockReleased',
      ],
    );
    assert.equal(await stockOf('SKU-003'), before);
  });

  test('out of stock: CANCELLED/out_of_stock and no payment attempted', async () => {
    const before = await stockOf('SKU-LTD');
    const orderId = await placeOrder(orderBody({ sku: 'SKU-LTD', quantity: before + 1 }));
    const order = await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED']);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancelReason, 'out_of_stock');
    const history = historyOf(order);
    assert.deepEqual(
      history.filter((h) => h.startsWith('command_sent')),
      ['command_sent:ReserveStock'],
    );
    assert.ok(history.includes('reply_received:StockRejected'));
    const rejected = order.saga.history.find((h: { type: string }) => h.type === 'StockRejected');
    assert.deepEqual(rejected.detail.shortages, [
      { sku: 'SKU-LTD', requested: before + 1, available: before },
    ]);
    assert.equal((await http('GET', `${urls.payment}/payments/${orderId}`)).status, 404, 'no payment exists');
    assert.equal(await stockOf('SKU-LTD'), before);
  });

  test('unserved destination (AQ): refund then release, CANCELLED/shipping_failed', async () => {
    const before = await stockOf('SKU-004');
    const orderId = await placeOrder(orderBody({ sku: 'SKU-004', quantity: 1, country: 'AQ' }));
    const order = await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED']);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancelReason, 'shipping_failed');
    assert.deepEqual(
      historyOf(order).filter((h) => h.startsWith('command_sent') || h.startsWith('reply')),
      [
        'command_sent:ReserveStock',
        'reply_received:StockReserved',
        'command_sent:ProcessPayment',
        'reply_received:PaymentSucceeded',
        'command_sent:ScheduleShipping',
        'reply_received:ShippingFailed',
        'command_sent:RefundPayment',
        'reply_received:PaymentRefunded',
        'command_sent:ReleaseStock',
        'reply_received:StockReleased',
      ],
    );
    assert.equal(await stockOf('SKU-004'), before);
    const payment = await http('GET', `${urls.payment}/payments/${orderId}`);
    assert.equal(payment.body.status, 'REFUNDED');
  });
});
