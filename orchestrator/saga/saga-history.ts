/**
 * A saga's history (orders.saga_history) as data: the row of each event it was given, each command
 * it sent and each order event it published. Pure; the runner inserts the rows.
 */
import type { SagaSnapshot, SagaStep } from './order-saga.machine.ts';
import type { SagaStateName } from './saga-types.ts';

/** One row of orders.saga_history. */
export interface HistoryRow {
  order_id: string;
  kind: string;
  type: string;
  message_id: string | null;
  from_state: string | null;
  to_state: string | null;
  detail: Record<string, unknown> | null;
  at: Date;
}

/** What caused an event: recorded in the saga's history. */
export interface EventCause {
  kind: 'reply' | 'deadline' | 'operator' | 'customer';
  /** Record type of the reply, or a label for deadlines and operator actions. */
  type: string;
  messageId: string | null;
  detail?: Record<string, unknown>;
}

const acceptedKind = {
  reply: 'reply_received',
  deadline: 'deadline_passed',
  operator: 'operator_action',
  customer: 'customer_action',
} as const;

/** A new saga's first row. */
export const sagaStartedRow = (orderId: string, state: SagaStateName, at: Date): HistoryRow => ({
  order_id: orderId,
  kind: 'saga_started',
  type: 'OrderPlaced',
  message_id: null,
  from_state: null,
  to_state: state,
  detail: null,
  at,
});

/**
 * The row of an event the saga took (`reply_received`, `deadline_passed`, `operator_action`,
 * `customer_action`) or
 * ignored (`reply_ignored`, …); a passed deadline records the attempt it ended.
 */
export function eventRow(before: SagaSnapshot, cause: EventCause, after: SagaStep, at: Date): HistoryRow {
  const { accepted } = after;
  return {
    order_id: before.context.orderId,
    kind: accepted ? acceptedKind[cause.kind] : `${cause.kind}_ignored`,
    type: cause.type,
    message_id: cause.messageId,
    from_state: before.value,
    to_state: accepted ? after.snapshot.value : before.value,
    detail:
      cause.kind === 'deadline' ? { ...cause.detail, attempt: before.context.attempt } : { ...cause.detail },
    at,
  };
}

/** The row of a command the step sent (`command_sent`) or an order event it published (`order_event`). */
export const effectRow = (
  orderId: string,
  kind: 'command_sent' | 'order_event',
  type: string,
  messageId: string,
  detail: Record<string, unknown>,
  at: Date,
): HistoryRow => ({
  order_id: orderId,
  kind,
  type,
  message_id: messageId,
  from_state: null,
  to_state: null,
  detail,
  at,
});
