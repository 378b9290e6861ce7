import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { timeOrderedIds } from '../ids.ts';
import { orderTraceId, orderTraceparent, parseTraceparent } from '../tracing/traceparent.ts';
import { createTracingWith } from '../tracing/tracing.ts';
import { tracingOff } from '../tracing/tracing-api.ts';
import { startConsumerSpans } from './consumer-spans.ts';
import type { IncomingMessage } from './incoming-message.ts';

const newId = timeOrderedIds();

const command = (offset: string, traceparent: string | null): IncomingMessage => {
  const orderId = newId();
  return {
    topic: 'inventory-commands',
    partition: 1,
    offset,
    meta: {
      messageId: newId(),
      orderId,
      correlationId: orderId,
      causationId: null,
      recordType: 'ReleaseStock',
      occurredAt: new Date().toISOString(),
      traceparent,
    },
    record: { type: 'ReleaseStock', payload: { orderId, reason: 'test' } },
  };
};

describe('consumer spans', () => {
  test("each message gets a span continuing its traceparent; what it sends continues from the message's span", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracingWith('inventory', exporter);
    const traced = command('10', null);
    traced.meta.traceparent = orderTraceparent(traced.meta.orderId);
    const untraced = command('11', null);
    const incoming = traced.meta.traceparent;
    const spans = startConsumerSpans(tracing, 'inventory-test', [traced, untraced]);
    assert.ok(spans);
    const mine = parseTraceparent(traced.meta.traceparent);
    assert.equal(mine?.traceId, orderTraceId(traced.meta.orderId));
    assert.notEqual(traced.meta.traceparent, incoming, "the message now carries its span's context");
    assert.equal(
      parseTraceparent(untraced.meta.traceparent)?.traceId,
      orderTraceId(untraced.meta.orderId),
      'no incoming context: the order root continues',
    );
    spans.end([
      {
        topic: untraced.topic,
        partition: untraced.partition,
        message: { offset: '11', key: null, value: null, timestamp: '0', attributes: 0, headers: {} },
        reason: 'handler_failed',
        error: new Error('boom'),
      },
    ]);
    await tracing.flush();
    const finished = exporter.getFinishedSpans();
    assert.equal(finished.length, 2);
    const byOffset = new Map(finished.map((s) => [s.attributes['messaging.kafka.offset'], s]));
    assert.equal(byOffset.get(10)?.status.code, SpanStatusCode.UNSET);
    assert.equal(byOffset.get(10)?.parentSpanContext?.spanId, parseTraceparent(incoming)?.spanId);
    assert.equal(byOffset.get(11)?.status.code, SpanStatusCode.ERROR);
    assert.match(byOffset.get(11)?.status.message ?? '', /dead-lettered \(handler_failed\)/);
    await tracing.shutdown();
  });

  test('tracing off: nothing is made, the messages keep their context', () => {
    const message = command('1', null);
    assert.equal(startConsumerSpans(tracingOff, 'g', [message]), null);
    assert.equal(message.meta.traceparent, null);
  });
});
