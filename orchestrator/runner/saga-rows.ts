/**
 * The rows a saga transition writes, built from plain data: a new order's rows, the history rows of
 * a step's effects, the `OrderStatusChanged` message and the saga's update. Pure; the runner adds
 * them to its unit of work.
 */
import type { OutgoingMessage } from '../../lib/outbox/outbox.ts';
import { orderStatusOf, type SagaSnapshot, stateOf, toPersisted } from '../saga/order-saga.machine.ts';
import type { SagaStateName } from '../saga/saga-types.ts';
import type { OrderRecord } from './order-record.ts';
import type { Effects } from './saga-effects.ts';
import type { HistoryRow, LoadedSaga, OrderRow, SagaRow, SagaWrite } from './saga-store.ts';

/** A new order's row, its saga's row and the saga as the cache keeps it, for its first snapshot. */
export function newSagaRows(
  order: OrderRecord,
  snapshot: SagaSnapshot,
  deadlineAt: Date | null,
  keys: { idempotencyKey: string | null; fingerprint: string | null },
  now: Date,
): { orderRow: OrderRow; sagaRow: SagaRow; started: LoadedSaga } {
  const state = stateOf(snapshot);
  const persisted = toPersisted(snapshot);
  const status = orderStatusOf(state);
  return {
    orderRow: {
      order_id: order.orderId,
      customer_id: order.customerId,
      items: JSON.stringify(order.items),
      total: order.total,
      currency: order.currency,
      payment_token: order.paymentToken,
      shipping_address: JSON.stringify(order.shippingAddress),
      status,
      idempotency_key: keys.idempotencyKey,
      request_fingerprint: keys.fingerprint,
      correlation_id: order.correlationId,
      created_at: now,
      updated_at: now,
    },
    sagaRow: {
      order_id: order.orderId,
      state,
      snapshot: JSON.stringify(persisted),
      version: 1,
      deadline_at: deadlineAt,
      updated_at: now,
    },
    started: { order, persisted, version: 1, status, deadlineAt },
  };
}

/** The history rows of a step's effects: each command sent and order event published. */
export const effectHistoryRows = (orderId: string, effects: Effects, at: Date): HistoryRow[] =>
  effects.history.map((h) => ({
    order_id: orderId,
    kind: h.kind,
    type: h.type,
    message_id: h.messageId,
    from_state: null,
    to_state: null,
    detail: h.detail,
    at,
  }));

/** `OrderStatusChanged` on order-events, caused by the message that moved the saga. */
export const statusChangedMessage = (
  order: OrderRecord,
  from: SagaStateName,
  to: SagaStateName,
  causationId: string | null,
  messageId: string,
): OutgoingMessage => ({
  record: {
    type: 'OrderStatusChanged',
    payload: {
      orderId: order.orderId,
      status: orderStatusOf(to).toLowerCase() as Lowercase<ReturnType<typeof orderStatusOf>>,
      sagaState: to,
      previousSagaState: from,
    },
  },
  messageId,
  orderId: order.orderId,
  correlationId: order.correlationId,
  causationId,
});

/**
 * The update of a saga the batch changed. `deadline` undefined: the events armed and disarmed
 * nothing, so the stored deadline stands.
 */
export function sagaWriteOf(
  orderId: string,
  saga: LoadedSaga,
  snapshot: SagaSnapshot,
  deadline: Date | null | undefined,
): SagaWrite {
  const persisted = toPersisted(snapshot);
  const status = orderStatusOf(persisted.value);
  const statusChanged = status !== saga.status;
  return {
    orderId,
    persisted,
    expectedVersion: saga.version,
    deadlineAt: deadline === undefined ? saga.deadlineAt : deadline,
    status,
    cancelReason: persisted.context.cancelReason,
    statusChanged,
    // Written with the status change (the saga ended or failed), so that pricing an order costs no
    // update of its orders row; until then reads take the total from the snapshot (order-queries.ts).
    total: statusChanged ? (persisted.context.catalog?.total ?? null) : null,
  };
}
