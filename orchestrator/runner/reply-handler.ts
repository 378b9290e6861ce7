import type { TypedRecord } from '../../lib/contracts/generated.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import type { SagaEvent } from '../saga/saga-types.ts';
import type { SagaEventInput, SagaRunner } from './saga-runner.ts';

export class NotAReplyError extends Error {
  constructor(type: string) {
    super(`${type} is not a participant reply; the orchestrator does not handle it`);
    this.name = 'NotAReplyError';
  }
}

/** Maps a participant reply or a carrier event to the machine's event (the names are the same by design). */
export function toSagaEvent(record: TypedRecord): SagaEvent {
  switch (record.type) {
    case 'StockReserved':
      return {
        type: record.type,
        lines: record.payload.lines.map(({ sku, unitPrice, currency }) => ({ sku, unitPrice, currency })),
      };
    case 'StockRejected':
    case 'StockReleased':
    case 'PaymentSucceeded':
    case 'PaymentFailed':
    case 'PaymentRefunded':
    case 'ShippingScheduled':
    case 'ShippingFailed':
      return { type: record.type };
    case 'ShippingCancelled': {
      // A reply written with the schema's first version (no parcel) decodes without the field.
      const parcel = record.payload.parcel ?? null;
      return {
        type: record.type,
        cancelled: record.payload.cancelled,
        parcel:
          parcel === null
            ? null
            : {
                carrier: parcel.carrier,
                pickedUpAt: new Date(parcel.pickedUpAt).toISOString(),
                deliveredAt: parcel.deliveredAt === null ? null : new Date(parcel.deliveredAt).toISOString(),
              },
      };
    }
    case 'ShipmentPickedUp':
      return {
        type: record.type,
        carrier: record.payload.carrier,
        pickedUpAt: new Date(record.payload.pickedUpAt).toISOString(),
      };
    case 'ShipmentDelivered':
      return {
        type: record.type,
        carrier: record.payload.carrier,
        pickedUpAt: new Date(record.payload.pickedUpAt).toISOString(),
        deliveredAt: new Date(record.payload.deliveredAt).toISOString(),
      };
    case 'ReserveStock':
    case 'ReleaseStock':
    case 'ProcessPayment':
    case 'RefundPayment':
    case 'ScheduleShipping':
    case 'CancelShipping':
    case 'OrderPlaced':
    case 'OrderStatusChanged':
    case 'OrderCompleted':
    case 'OrderShipped':
    case 'OrderDelivered':
    case 'OrderCancelled':
    case 'OrderFailed':
    case 'AuditRecorded':
      throw new NotAReplyError(record.type);
    default: {
      const unknown: never = record;
      throw new NotAReplyError(String((unknown as { type: unknown }).type));
    }
  }
}

const toInput = (message: IncomingMessage): SagaEventInput => {
  const { record } = message;
  // The one record without an order id; the orchestrator never subscribes to its topic.
  if (record.type === 'AuditRecorded') throw new NotAReplyError(record.type);
  return {
    orderId: record.payload.orderId,
    event: toSagaEvent(record),
    cause: {
      kind: 'reply',
      type: record.type,
      messageId: message.meta.messageId,
      detail: { ...record.payload },
    },
    reply: { topic: message.topic, causationId: message.meta.causationId },
    traceparent: message.meta.traceparent ?? null,
  };
};

/**
 * The orchestrator's consumer handler: a whole fetched batch of replies in one runner call, with
 * the sagas this process wrote last taken from its cache (a reply to them needs no read).
 */
export const createReplyHandler =
  (runner: SagaRunner): BatchHandler =>
  async (unit, messages) => {
    await runner.applyEvents(unit, messages.map(toInput), { fromCache: true });
  };
