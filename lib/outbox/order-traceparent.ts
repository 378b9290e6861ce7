import { HeaderNames } from '../messaging/headers.ts';
import { orderTraceparent } from '../tracing/traceparent.ts';

/**
 * Gives a message about an order that continues no span its order's own traceparent (its trace,
 * the root span as parent: lib/tracing/traceparent.ts), in place; returns the same headers. Outbox
 * rows are stored without it, as it follows from their `order-id`; the relay adds it before
 * publishing, so every order message on Kafka carries one. A message with a traceparent of its own,
 * or about no order, is left as it is.
 */
export function withOrderTraceparent(headers: Record<string, string>): Record<string, string> {
  if (headers[HeaderNames.traceparent] !== undefined) return headers;
  const orderId = headers[HeaderNames.orderId];
  if (orderId !== undefined) headers[HeaderNames.traceparent] = orderTraceparent(orderId);
  return headers;
}
