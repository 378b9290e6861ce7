import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { orderRootSpanId, orderTraceId, parseTraceparent } from './traceparent.ts';
import { createTracingWith, SpanKind, tracingOff } from './tracing.ts';

const orderId = '0193a2b4-c5d6-7e8f-9a0b-1c2d3e4f5a6b';

describe('tracing', () => {
  test("an order's root span has the ids derived from the order; children continue it", async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = createTracingWith('orchestrator', exporter);
    const root = tracing.startOrderSpan('POST /orders', orderId);
    assert.ok(root);
    assert.deepEqual(parseTraceparent(root.traceparent), {
      traceId: orderTraceId(orderId),
      spanId: orderRootSpanId(orderId),
      sampled: true,
    });
    const child = tracing.startChildSpan(
      'ReserveStock process',
      root.traceparent,
      orderId,
      SpanKind.CONSUMER,
    );
    assert.ok(child);
    const childContext = parseTraceparent(child.traceparent);
    assert.equal(childContext?.traceId, orderTraceId(orderId));
    assert.notEqual(childContext?.spanId, orderRootSpanId(orderId), 'a child gets a span id of its own');
    // A span with no incoming context (a step deadline) continues the order's root span.
    const other = tracing.startChildSpan('DEADLINE_PASSED', null, orderId, SpanKind.INTERNAL);
    assert.equal(parseTraceparent(other?.traceparent)?.traceId, orderTraceId(orderId));
    child.end(new Error('boom'));
    other?.end();
    root.end();
    await tracing.flush();

    const spans = exporter.getFinishedSpans();
    assert.deepEqual(
      spans.map((s) => s.name),
      ['ReserveStock process', 'DEADLINE_PASSED', 'POST /orders'],
    );
    const byName = new Map(spans.map((s) => [s.name, s]));
    assert.equal(byName.get('ReserveStock process')?.parentSpanContext?.spanId, orderRootSpanId(orderId));
    assert.equal(byName.get('ReserveStock process')?.status.code, SpanStatusCode.ERROR);
    assert.equal(byName.get('DEADLINE_PASSED')?.parentSpanContext?.spanId, orderRootSpanId(orderId));
    assert.equal(byName.get('POST /orders')?.parentSpanContext, undefined, 'the root has no parent');
    assert.equal(byName.get('POST /orders')?.resource.attributes['service.name'], 'orchestrator');
    await tracing.shutdown();
  });

  test('off, nothing is recorded', () => {
    assert.equal(tracingOff.enabled, false);
    assert.equal(tracingOff.startOrderSpan('POST /orders', orderId), null);
    assert.equal(tracingOff.startChildSpan('x', null, orderId, SpanKind.CONSUMER), null);
  });
});
