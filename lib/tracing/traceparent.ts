/**
 * W3C Trace Context `traceparent` headers (https://www.w3.org/TR/trace-context/), version 00:
 * `00-<trace id, 32 hex>-<parent span id, 16 hex>-<flags, 2 hex>`. Pure.
 *
 * One order is one trace: its trace id is the order id's 32 hex digits (order ids are random
 * enough, UUIDv7: 74 random bits), and its root span (the POST that placed it) has the order id's
 * last 16 hex digits as span id. So any service can continue an order's trace without having
 * stored anything (a step deadline, an operator retry), and an order's trace is found by its id.
 */

export const traceparentHeader = 'traceparent';

/** Version 00, lower-case hex, neither id all zeros (W3C: such a header is invalid). */
const traceparentPattern = /^00-(?!0{32}-)([0-9a-f]{32})-(?!0{16}-)([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** The parts of a valid version-00 traceparent; null for anything else (absent, malformed, zero ids). */
export function parseTraceparent(header: string | null | undefined): TraceParent | null {
  if (header === null || header === undefined) return null;
  const match = traceparentPattern.exec(header);
  if (match === null) return null;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** Whether a header is a valid version-00 traceparent (what readMeta keeps); allocates nothing. */
export const isTraceparent = (header: string): boolean => traceparentPattern.test(header);

export const formatTraceparent = (traceId: string, spanId: string, sampled: boolean): string =>
  `00-${traceId}-${spanId}-${sampled ? '01' : '00'}`;

/** The trace id of an order: its id's hex digits, lower case. */
export const orderTraceId = (orderId: string): string =>
  orderId.slice(0, 8).toLowerCase() +
  orderId.slice(9, 13).toLowerCase() +
  orderId.slice(14, 18).toLowerCase() +
  orderId.slice(19, 23).toLowerCase() +
  orderId.slice(24, 36).toLowerCase();

/** The span id of an order's root span (the POST that placed it): its id's last 16 hex digits. */
export const orderRootSpanId = (orderId: string): string =>
  orderId.slice(19, 23).toLowerCase() + orderId.slice(24, 36).toLowerCase();

/**
 * The traceparent of a message about an order when no span of this process produced it (tracing
 * off, or no incoming context): the order's trace, its root span as parent, not sampled here.
 */
export const orderTraceparent = (orderId: string): string =>
  formatTraceparent(orderTraceId(orderId), orderRootSpanId(orderId), false);
