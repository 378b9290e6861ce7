/**
 * One order is one trace across the four services: the e2e services export their spans to a
 * receiver this spec runs (OTLP/HTTP JSON, on OTLP_RECEIVER_PORT: scripts/run-tests.ts), and every
 * hop — POST, each command and each reply — is a span whose parent is the span that sent it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orderRootSpanId, orderTraceId } from '../../lib/tracing/traceparent.ts';
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.ts';
import { orderBody, placeOrder, waitForStatus } from '../support/system-under-test.ts';
import { waitFor } from '../support/wait-for.ts';

/** The hops of a completed order, in order: [service, span name]. */
const completedHops = [
  ['orchestrator', 'POST /orders'],
  ['inventory', 'ReserveStock process'],
  ['orchestrator', 'StockReserved process'],
  ['payment', 'ProcessPayment process'],
  ['orchestrator', 'PaymentSucceeded process'],
  ['shipping', 'ScheduleShipping process'],
  ['orchestrator', 'ShippingScheduled process'],
] as const;

const declinedHops = [
  ['orchestrator', 'POST /orders'],
  ['inventory', 'ReserveStock process'],
  ['orchestrator', 'StockReserved process'],
  ['payment', 'ProcessPayment process'],
  ['orchestrator', 'PaymentFailed process'],
  ['inventory', 'ReleaseStock process'],
  ['orchestrator', 'StockReleased process'],
] as const;

let receiver: OtlpReceiver;
before(async () => {
  const port = Number(process.env.OTLP_RECEIVER_PORT);
  assert.ok(port > 0, 'OTLP_RECEIVER_PORT is set by npm test');
  receiver = await startOtlpReceiver(port);
});
after(async () => receiver?.close());

/** Waits until the order's trace has a span for each hop, and returns them in that order. */
async function hopsOf(
  orderId: string,
  hops: ReadonlyArray<readonly [string, string]>,
): Promise<ReceivedSpan[]> {
  const traceId = orderTraceId(orderId);
  return waitFor(`the spans of order ${orderId}'s ${hops.length} hops`, () => {
    const spans = receiver.spans.filter((s) => s.traceId === traceId);
    const found = hops.map(([service, name]) => spans.find((s) => s.service === service && s.name === name));
    return found.every((s) => s !== undefined) ? (found as ReceivedSpan[]) : undefined;
  });
}

/** Each span after the first is the child of the one before it. */
function assertChain(spans: readonly ReceivedSpan[]): void {
  for (let i = 1; i < spans.length; i++) {
    const [parent, span] = [spans[i - 1], spans[i]];
    assert.equal(span?.parentSpanId, parent?.spanId, `${span?.name}'s parent is ${parent?.name}`);
  }
}

describe('tracing across Kafka hops', () => {
  test('a completed order: one trace, four services, each hop the child of the one before', async () => {
    const orderId = await placeOrder(orderBody({ sku: 'SKU-001', quantity: 1 }));
    assert.equal((await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED'])).status, 'COMPLETED');
    const spans = await hopsOf(orderId, completedHops);

    const [root] = spans;
    assert.equal(root?.spanId, orderRootSpanId(orderId), "the POST's span id comes from the order id");
    assert.equal(root?.parentSpanId, '', 'the POST starts the trace');
    assertChain(spans);
    assert.deepEqual([...new Set(spans.map((s) => s.service))].sort(), [
      'inventory',
      'orchestrator',
      'payment',
      'shipping',
    ]);
    const reserve = spans[1];
    assert.equal(reserve?.attributes['messaging.system'], 'kafka');
    assert.equal(reserve?.attributes['order.id'], orderId);
  });

  test('a compensation is in the same trace: the declined payment, then the release', async () => {
    const orderId = await placeOrder(orderBody({ sku: 'SKU-001', quantity: 1, paymentToken: 'tok_decline' }));
    assert.equal((await waitForStatus(orderId, ['COMPLETED', 'CANCELLED', 'FAILED'])).status, 'CANCELLED');
    const spans = await hopsOf(orderId, declinedHops);
    assertChain(spans);
  });
});
