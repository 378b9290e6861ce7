/**
 * The messages a saga step sends, built from its order and the saga's context: the participants'
 * commands, the order's lifecycle events and `OrderStatusChanged`. Pure.
 */
import type { TypedRecord } from '../../lib/contracts/generated.ts';
import type { OutgoingMessage } from '../../lib/outbox/outbox.ts';
import type { OrderRecord } from './order-record.ts';
import { orderStatusOf } from './order-saga.machine.ts';
import type {
  CommandName,
  Fulfilment,
  OrderLifecycleEvent,
  SagaContext,
  SagaStateName,
} from './saga-types.ts';

/** A record as the outbox sends it: keyed by its order, in the order's correlation. */
export const envelope = (
  record: TypedRecord,
  messageId: string,
  order: OrderRecord,
  causationId: string | null,
): OutgoingMessage => ({
  record,
  messageId,
  orderId: order.orderId,
  correlationId: order.correlationId,
  causationId,
});

function catalogTotal(saga: SagaContext, what: string): number {
  if (saga.catalog === null)
    throw new Error(`order ${saga.orderId}: ${what} needs the catalog total, which is not known yet`);
  return saga.catalog.total;
}

function fulfilmentOf(saga: SagaContext, what: string): Fulfilment {
  if (!saga.fulfilment)
    throw new Error(`order ${saga.orderId}: ${what} needs the carrier's event, not recorded`);
  return saga.fulfilment;
}

export function commandRecord(command: CommandName, order: OrderRecord, saga: SagaContext): TypedRecord {
  const { orderId } = order;
  const reason = saga.cancelReason ?? 'compensation';
  switch (command) {
    case 'ReserveStock':
      return {
        type: command,
        payload: { orderId, items: order.items.map(({ sku, quantity }) => ({ sku, quantity })) },
      };
    case 'ProcessPayment':
      return {
        type: command,
        payload: {
          orderId,
          customerId: order.customerId,
          // The catalog total the saga accepted, never the client's prices.
          amount: catalogTotal(saga, command),
          currency: order.currency,
          paymentToken: order.paymentToken,
        },
      };
    case 'ScheduleShipping':
      return {
        type: command,
        payload: {
          orderId,
          address: order.shippingAddress,
          items: order.items.map(({ sku, quantity }) => ({ sku, quantity })),
        },
      };
    case 'ReleaseStock':
      return { type: command, payload: { orderId, reason } };
    case 'RefundPayment':
      return { type: command, payload: { orderId, reason } };
    case 'CancelShipping':
      return { type: command, payload: { orderId, reason } };
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${String(unknown)}`);
    }
  }
}

export function lifecycleRecord(
  event: OrderLifecycleEvent,
  order: OrderRecord,
  saga: SagaContext,
): TypedRecord {
  const { orderId } = order;
  switch (event.event) {
    case 'OrderPlaced':
      return {
        type: 'OrderPlaced',
        payload: {
          orderId,
          customerId: order.customerId,
          items: order.items,
          total: saga.catalog?.total ?? null,
          currency: order.currency,
          contact: order.contact,
        },
      };
    case 'OrderCompleted':
      return {
        type: 'OrderCompleted',
        payload: { orderId, total: catalogTotal(saga, 'OrderCompleted'), currency: order.currency },
      };
    case 'OrderShipped': {
      const { carrier, pickedUpAt } = fulfilmentOf(saga, 'OrderShipped');
      return { type: 'OrderShipped', payload: { orderId, carrier, pickedUpAt: Date.parse(pickedUpAt) } };
    }
    case 'OrderDelivered': {
      const { carrier, deliveredAt } = fulfilmentOf(saga, 'OrderDelivered');
      if (deliveredAt === null) throw new Error(`order ${orderId}: OrderDelivered without a delivery time`);
      return { type: 'OrderDelivered', payload: { orderId, carrier, deliveredAt: Date.parse(deliveredAt) } };
    }
    case 'OrderCancelled':
      return { type: 'OrderCancelled', payload: { orderId, reason: event.reason } };
    case 'OrderFailed':
      return {
        type: 'OrderFailed',
        payload: { orderId, pendingStep: event.pendingStep, reason: event.reason },
      };
    default: {
      const unknown: never = event;
      throw new Error(`unknown lifecycle event ${JSON.stringify(unknown)}`);
    }
  }
}

/** `OrderStatusChanged` on order-events, caused by the message that moved the saga. */
export const statusChangedMessage = (
  order: OrderRecord,
  from: SagaStateName,
  to: SagaStateName,
  causationId: string | null,
  messageId: string,
): OutgoingMessage =>
  envelope(
    {
      type: 'OrderStatusChanged',
      payload: {
        orderId: order.orderId,
        status: orderStatusOf(to).toLowerCase() as Lowercase<ReturnType<typeof orderStatusOf>>,
        sagaState: to,
        previousSagaState: from,
      },
    },
    messageId,
    order,
    causationId,
  );
