import type { RecordName, TypedRecord } from '../../lib/contracts/generated.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import { isUuid } from '../../lib/ids.ts';
import type { IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import type { OutgoingMessage } from '../../lib/outbox/outbox.ts';

/** A record this participant does not handle arrived on its topic: retried, then dead-lettered. */
export class UnsupportedRecordError extends Error {
  override readonly name = 'UnsupportedRecordError';
  readonly service: string;
  readonly recordType: RecordName;
  constructor(service: string, recordType: RecordName, expected: readonly string[]) {
    super(`${service} does not handle ${recordType} records (it handles ${expected.join(', ')})`);
    this.service = service;
    this.recordType = recordType;
  }
}

/** A command that breaks its contract (e.g. a non-positive quantity): retried, then dead-lettered. */
export class InvalidCommandError extends Error {
  override readonly name = 'InvalidCommandError';
  readonly recordType: RecordName;
  readonly messageId: string;
  constructor(message: IncomingMessage, problem: string) {
    super(`invalid ${message.record.type} (message ${message.meta.messageId}): ${problem}`);
    this.recordType = message.record.type;
    this.messageId = message.meta.messageId;
  }
}

/** The order id of a command (lower case), checked against the `order-id` header. */
export function commandOrderId(message: IncomingMessage, payloadOrderId: string): string {
  if (!isUuid(payloadOrderId))
    throw new InvalidCommandError(message, `orderId '${payloadOrderId}' is not a UUID`);
  const orderId = payloadOrderId.toLowerCase();
  if (message.meta.orderId.toLowerCase() !== orderId) {
    throw new InvalidCommandError(
      message,
      `orderId '${payloadOrderId}' differs from the order-id header '${message.meta.orderId}'`,
    );
  }
  return orderId;
}

/**
 * The reply to a command: a new message id, the command's order and correlation ids, the command's
 * message id as causation id (key = order id), and the command's trace context (the span of its
 * handling when this service records spans: lib/messaging/consumer-spans.ts).
 */
export function replyTo(
  command: IncomingMessage,
  orderId: string,
  record: TypedRecord,
  newId: IdGenerator,
): OutgoingMessage {
  return {
    record,
    messageId: newId(),
    orderId,
    correlationId: command.meta.correlationId,
    causationId: command.meta.messageId,
    traceparent: command.meta.traceparent ?? null,
  };
}

/** The command with its payload's order id replaced by the canonical (lower-case) one. */
export function withOrderId<R extends { payload: { orderId: string } }>(record: R, orderId: string): R {
  return { ...record, payload: { ...record.payload, orderId } };
}
