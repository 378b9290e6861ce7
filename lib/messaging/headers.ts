import type { IHeaders } from 'kafkajs';
import { type RecordName, recordTopics } from '../contracts/generated.ts';
import { isUuid } from '../ids.ts';
import { isTraceparent, traceparentHeader } from '../tracing/traceparent.ts';

/** Metadata every message carries in Kafka headers (bodies stay pure domain records). */
export interface MessageMeta {
  messageId: string;
  orderId: string;
  correlationId: string;
  causationId: string | null;
  recordType: RecordName;
  occurredAt: string;
  /**
   * W3C trace context of the span that produced the message (lib/tracing/traceparent.ts); null when
   * the message has none or an invalid one. A consumer that records a span for the message replaces
   * it with its own span's, so what it sends continues from there.
   */
  traceparent?: string | null;
}

export const HeaderNames = {
  messageId: 'message-id',
  orderId: 'order-id',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  recordType: 'record-type',
  occurredAt: 'occurred-at',
  traceparent: traceparentHeader,
} as const;

export class MissingHeaderError extends Error {
  readonly header: string;
  constructor(header: string) {
    super(`message has no valid '${header}' header`);
    this.header = header;
    this.name = 'MissingHeaderError';
  }
}

/**
 * The metadata of a message to send: as MessageMeta, except that a message that does not concern an
 * order (an audit record of a fault switch, a SKU) has no order id, and so no `order-id` header.
 */
export interface OutgoingMeta extends Omit<MessageMeta, 'orderId'> {
  orderId: string | null;
}

export function toHeaders(meta: OutgoingMeta): Record<string, string> {
  // Two literals rather than a conditional property: an order's message (the hot path) is built
  // exactly as before, in one allocation of one shape.
  const headers: Record<string, string> =
    meta.orderId === null
      ? {
          [HeaderNames.messageId]: meta.messageId,
          [HeaderNames.correlationId]: meta.correlationId,
          [HeaderNames.recordType]: meta.recordType,
          [HeaderNames.occurredAt]: meta.occurredAt,
        }
      : {
          [HeaderNames.messageId]: meta.messageId,
          [HeaderNames.orderId]: meta.orderId,
          [HeaderNames.correlationId]: meta.correlationId,
          [HeaderNames.recordType]: meta.recordType,
          [HeaderNames.occurredAt]: meta.occurredAt,
        };
  if (meta.causationId !== null) headers[HeaderNames.causationId] = meta.causationId;
  if (meta.traceparent) headers[HeaderNames.traceparent] = meta.traceparent;
  return headers;
}

export const headerString = (headers: IHeaders | undefined, name: string): string | undefined => {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
};

const isRecordName = (value: string): value is RecordName => Object.hasOwn(recordTopics, value);

/**
 * Reads the metadata back; throws MissingHeaderError naming the first header that is absent or
 * invalid. The ids must be UUIDs: they are stored in uuid columns (inbox, orders, history), so a
 * message with another id is refused here, as a dead letter, rather than by every write it reaches.
 * `withTraceparent` false (a consumer with tracing off) leaves the trace context unread: what such
 * a consumer sends carries its order's own traceparent (lib/outbox/outbox.ts), the same trace.
 */
export function readMeta(headers: IHeaders | undefined, withTraceparent = true): MessageMeta {
  const required = (name: string): string => {
    const value = headerString(headers, name);
    if (value === undefined || value === '') throw new MissingHeaderError(name);
    return value;
  };
  const id = (name: string, value: string): string => {
    if (!isUuid(value)) throw new MissingHeaderError(name);
    return value;
  };
  const recordType = required(HeaderNames.recordType);
  if (!isRecordName(recordType)) throw new MissingHeaderError(HeaderNames.recordType);
  const causationId = headerString(headers, HeaderNames.causationId);
  const traceparent = withTraceparent ? headerString(headers, HeaderNames.traceparent) : undefined;
  return {
    messageId: id(HeaderNames.messageId, required(HeaderNames.messageId)),
    orderId: id(HeaderNames.orderId, required(HeaderNames.orderId)),
    correlationId: id(HeaderNames.correlationId, required(HeaderNames.correlationId)),
    causationId: causationId === undefined ? null : id(HeaderNames.causationId, causationId),
    recordType,
    occurredAt: required(HeaderNames.occurredAt),
    // Trace context is best effort: an invalid one is dropped, not a reason to refuse the message.
    traceparent: traceparent !== undefined && isTraceparent(traceparent) ? traceparent : null,
  };
}

/** Raised when a message's Kafka key is not its `order-id` header (the key places it on its order's partition). */
export class KeyMismatchError extends Error {
  override readonly name = 'KeyMismatchError';
  constructor(key: Buffer | null) {
    super(
      key === null
        ? "message has no key; it must be the 'order-id' header"
        : `message key (${key.length} bytes) is not the 'order-id' header`,
    );
  }
}

/**
 * True when `key` holds exactly the characters of `orderId` (a UUID, so one byte each): compared in
 * place, without decoding the key into a string (this runs for every consumed message).
 */
export function keyIsOrderId(key: Buffer | null, orderId: string): boolean {
  if (key === null || key.length !== orderId.length) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== orderId.charCodeAt(i)) return false;
  return true;
}
