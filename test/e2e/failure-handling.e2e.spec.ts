import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import {
  clearFaults,
  historyOf,
  http,
  orderBody,
  placeOrder,
  setFault,
  stockOf,
  urls,
  waitForStatus,
} from '../support/system-under-test.ts';

/** Timeouts, retries, FAILED sagas and the operator's retry, with faults injected into participants. */
describe('failure handling', () => {
  afterEach(clearFaults);

  test('a participant that never answers: same command re-sent with the same id, then compensation, CANCELLED/timeout', async () => {
    await setFault('payment', { mode: 'silent', commands: ['ProcessPayment'] });
    const before = await stockOf('SKU-006');
    const orderId = await placeOrder(orderBody({ sku: 'SKU-006', quantity: 2 }));
    const order = await waitForStatus(orderId, ['CANCELLED', 'COMPLETED', 'FAILED']);
    assert.equal(order.status, 'CANCELLED');
    assert.equal(order.cancelReason, 'timeout');
    const payments = order.saga.history.filter(
      (h: { kind: string; type: string }) => h.kind === 'command_sent' && h.type === 'ProcessPayment',
    );
    assert.equal(payments.length, 2, 'sent, then re-sent once (SAGA_FORWARD_ATTEMPTS=2 in tests)');
    assert.equal(payments[0].messageId, payments[1].messageId, 'the re-send keeps the message id');
    assert.deepEqual(
      historyOf(order).filter((h) => /^(command_sent|reply_received|deadline_passed)/.test(h)),
      [
        'command_sent:ReserveStock',
        'reply_received:StockReserved',
        'command_sent:ProcessPayment',
        'deadline_passed:DEADLINE_PASSED',
        'command_sent:ProcessPayment',
        'deadline_passed:DEADLINE_PASSED',
        'command_sent:RefundPayment',
        'reply_received:PaymentRefunded',
        'command_sent:ReleaseStock',
        'reply_received:StockReleased',
      ],
    );
    const refund = order.saga.history.find((h: { type: string }) => h.type === 'PaymentRefunded');
    assert.equal(refund.detail.refunded, false, 'nothing had been charged');
    assert.equal(await stockOf('SKU-006'), before);
  });

  test('a compensation that fails every time ends FAILED; retry completes it once the fault is cleared', async () => {
    const before = await stockOf('SKU-007');
    await setFault('inventory', { mode: 'fail', commands: ['ReleaseStock'] });
    const orderId = await placeOrder(orderBody({ sku: 'SKU-007', quantity: 1, paymentToken: 'tok_decline' }));
    const failed = await waitForStatus(orderId, ['FAILED', 'CANCELLED', 'COMPLETED']);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.saga.state, 'failed');
    assert.equal(failed.saga.failure.step, 'ReleaseStock');
    assert.match(failed.saga.failure.reason, /no reply to ReleaseStock after 2 attempts/);
    assert.equal(await stockOf('SKU-007'), before - 1, 'the reservation is still held while FAILED');
    const listed = await http('GET', `${urls.orchestrator}/orders?status=FAILED&limit=100`);
    assert.ok(listed.body.orders.some((o: { orderId: string }) => o.orderId === orderId));

    await clearFaults();
    const retried = await http('POST', `${urls.orchestrator}/orders/${orderId}/retry`);
    assert.equal(retried.status, 202);
    assert.equal(retried.body.sagaState, 'releasingStock');
    const done = await waitForStatus(orderId, ['CANCELLED', 'FAILED', 'COMPLETED']);
    assert.equal(done.status, 'CANCELLED');
    assert.equal(done.cancelReason, 'payment_declined');
    assert.ok(historyOf(done).includes('operator_action:RETRY'));
    const releases = done.saga.history.filter(
      (h: { kind: string; type: string }) => h.kind === 'command_sent' && h.type === 'ReleaseStock',
    );
    assert.notEqual(releases.at(-1).messageId, releases[0].messageId, 'the operator retry is a new message');
    assert.equal(await stockOf('SKU-007'), before);

    // The operator's actions left their audit records on the services they were taken on.
    type AuditItem = { action: string; outcome: string; actor: string; detail: Record<string, unknown> };
    const retryAudit = await http('GET', `${urls.orchestrator}/audit?target=order:${orderId}`);
    assert.equal(retryAudit.status, 200);
    assert.deepEqual(
      retryAudit.body.items.map((i: AuditItem) => [i.action, i.outcome, i.actor, i.detail]),
      [['retry', 'applied', 'operator-1', { from: 'failed', to: 'releasingStock' }]],
    );
    const faultAudit = await http('GET', `${urls.inventory}/audit?target=faults:inventory&limit=200`);
    assert.equal(faultAudit.status, 200);
    const faultOf = (action: string) =>
      faultAudit.body.items.find(
        (i: AuditItem) =>
          i.action === action &&
          (i.detail.fault as { commands?: string[] } | null)?.commands?.join() === 'ReleaseStock',
      )?.detail.fault;
    const releaseFault = { mode: 'fail', commands: ['ReleaseStock'], delayMs: null };
    assert.deepEqual(faultOf('fault_set'), releaseFault, 'the fault switched on is audited');
    assert.deepEqual(
      { ...faultOf('fault_cleared'), since: undefined },
      { ...releaseFault, since: undefined },
      'and so is its clearing',
    );
  });

  test('retry is refused for a saga that is not FAILED, 404 for an unknown order', async () => {
    const orderId = await placeOrder(orderBody());
    await waitForStatus(orderId, ['COMPLETED']);
    const refused = await http('POST', `${urls.orchestrator}/orders/${orderId}/retry`);
    assert.equal(refused.status, 409);
    assert.match(refused.body.message, /only a FAILED saga can be retried; this one is in state completed/);
    const unknownId = randomUUID();
    const unknown = await http('POST', `${urls.orchestrator}/orders/${unknownId}/retry`);
    assert.equal(unknown.status, 404);
    const outcomesOf = async (id: string) =>
      (await http('GET', `${urls.orchestrator}/audit?target=order:${id}`)).body.items.map(
        (i: { action: string; outcome: string }) => `${i.action}:${i.outcome}`,
      );
    assert.deepEqual(await outcomesOf(orderId), ['retry:rejected']);
    assert.deepEqual(await outcomesOf(unknownId), ['retry:not_found']);
    const badLimit = await http('GET', `${urls.orchestrator}/audit?limit=0`);
    assert.equal(badLimit.status, 400);
    assert.match(badLimit.body.message, /querystring\.limit/);
  });
});
