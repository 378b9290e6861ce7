/**
 * What the services use to record spans (lib/tracing/tracing.ts makes one): the interface and the
 * one that records nothing, without loading the OpenTelemetry SDK.
 */
import { SpanKind } from '@opentelemetry/api';

export { SpanKind };

export type SpanAttributes = Record<string, string | number | boolean>;

/** A span in progress: the traceparent of messages it produces, and its end. */
export interface SpanHandle {
  readonly traceparent: string;
  /** Ends the span; with an error, its status is ERROR with the error's message. */
  end(error?: unknown): void;
}

export interface Tracing {
  /** False: no span is recorded; every start* returns null. */
  readonly enabled: boolean;
  /** The root span of an order's trace (the request that placed it): ids derived from the order id. */
  startOrderSpan(name: string, orderId: string, attributes?: SpanAttributes): SpanHandle | null;
  /**
   * A span continuing `traceparent` (an incoming message's), or the order's root span when there is
   * no valid one; `kind` as OpenTelemetry's SpanKind.
   */
  startChildSpan(
    name: string,
    traceparent: string | null | undefined,
    orderId: string,
    kind: SpanKind,
    attributes?: SpanAttributes,
  ): SpanHandle | null;
  /** Exports the ended spans still buffered. */
  flush(): Promise<void>;
  /** Exports what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** No spans: the default, when no OTLP endpoint is configured. */
export const tracingOff: Tracing = {
  enabled: false,
  startOrderSpan: () => null,
  startChildSpan: () => null,
  flush: async () => undefined,
  shutdown: async () => undefined,
};
