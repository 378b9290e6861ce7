/**
 * The spans a service records, with @opentelemetry/api and the SDK's BasicTracerProvider (no
 * auto-instrumentation, no global provider, no context manager: every span is given its parent
 * explicitly). Spans are recorded only when OTEL_EXPORTER_OTLP_ENDPOINT is set (exported over
 * OTLP/HTTP as JSON); otherwise `tracingOff` records nothing and costs nothing, and messages carry
 * the traceparent they continue (lib/tracing/traceparent.ts).
 */
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { OrderTraceIds } from './order-trace-ids.ts';
import { formatTraceparent, orderRootSpanId, orderTraceId, parseTraceparent } from './traceparent.ts';
import { type SpanHandle, type Tracing, tracingOff } from './tracing-api.ts';

export { type SpanHandle, SpanKind, type Tracing, tracingOff };

const handleOf = (span: Span): SpanHandle => {
  const context = span.spanContext();
  return {
    traceparent: formatTraceparent(context.traceId, context.spanId, true),
    end(error?: unknown) {
      if (error !== undefined) {
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
      }
      span.end();
    },
  };
};

/** Spans of `service`, handed to `exporter` in batches (tests pass an in-memory one). */
export function createTracingWith(service: string, exporter: SpanExporter): Tracing {
  const ids = new OrderTraceIds();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    // Every span is recorded: whether the order's trace is sampled is decided by this process's
    // configuration, not by the flag of a producer that may have tracing off.
    sampler: new AlwaysOnSampler(),
    idGenerator: ids,
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 500 })],
  });
  const tracer = provider.getTracer('order-saga');
  return {
    enabled: true,
    startOrderSpan(name, orderId, attributes) {
      const span = ids.forOrderRoot(orderId, () =>
        tracer.startSpan(name, { kind: SpanKind.SERVER, root: true, attributes }, ROOT_CONTEXT),
      );
      return handleOf(span);
    },
    startChildSpan(name, traceparent, orderId, kind, attributes) {
      const parent = parseTraceparent(traceparent) ?? {
        traceId: orderTraceId(orderId),
        spanId: orderRootSpanId(orderId),
      };
      const context = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: parent.traceId,
        spanId: parent.spanId,
        traceFlags: 1,
        isRemote: true,
      });
      return handleOf(tracer.startSpan(name, { kind, attributes }, context));
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** The service's tracing: recorded and exported over OTLP/HTTP (JSON) when `otlpEndpoint` is set. */
export function createTracing(service: string, otlpEndpoint: string | null): Tracing {
  if (otlpEndpoint === null) return tracingOff;
  const url = `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces`;
  return createTracingWith(service, new OTLPTraceExporter({ url }));
}
