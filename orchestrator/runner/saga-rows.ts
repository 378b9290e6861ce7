/**
 * The order and saga rows the runner stores for a snapshot: a new order's rows, and the update of a
 * saga a batch changed. Pure; the runner adds them to its unit of work.
 */

import { storedSagaJson } from '../saga/order-pricing.ts';
import type { OrderRecord } from '../saga/order-record.ts';
import { orderStatusOf, type SagaSnapshot, stateOf, toPersisted } from '../saga/order-saga.machine.ts';
import type { LoadedSaga, OrderRow, SagaRow, SagaWrite } from './saga-store.ts';

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
      contact: order.contact === null ? null : JSON.stringify(order.contact),
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
      snapshot: storedSagaJson(persisted),
      version: 1,
      deadline_at: deadlineAt,
      updated_at: now,
    },
    started: { order, persisted, version: 1, status, deadlineAt, updatedAt: now },
  };
}

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
