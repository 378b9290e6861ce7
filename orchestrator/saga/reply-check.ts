/**
 * Whether a participant reply may move its saga, and the history row of one that may not. Pure:
 * (persisted saga, reply meta, topics) → verdict.
 *
 * A reply counts only if it answers the command the saga sent for its current step, in its current
 * round — its causation id is that command's message id (every attempt re-sends the same id, see
 * command-ids.ts) — and it arrived on the events topic of the participant that command went to.
 * Anything else (a forged reply, or a late one to an earlier step) must not change the saga.
 * Shipping's carrier events (ShipmentPickedUp, ShipmentDelivered) answer no command: they count if
 * they came on shipping's events topic with the saga's ScheduleShipping command id as causation id.
 */
import { commandMessageId } from './command-ids.ts';
import type { EventCause, HistoryRow } from './saga-history.ts';
import type { CommandName, PersistedSaga, SagaEvent, SagaStateName } from './saga-types.ts';

export type ReplyType = Exclude<SagaEvent['type'], 'DEADLINE_PASSED' | 'RETRY' | 'CANCEL'>;

export type ReplyRejectionReason =
  /** The reply has no causation-id header. */
  | 'no_causation_id'
  /** It came on another topic than its participant's events topic. */
  | 'wrong_topic'
  /** Its causation id is one of this saga's commands, but not the current step's (a late reply). */
  | 'earlier_step'
  /** Its causation id is no command this saga sent. */
  | 'unknown_causation';

export type ReplyVerdict = { accepted: true } | { accepted: false; reason: ReplyRejectionReason };

/** The deployed events topic of each participant (with TOPIC_PREFIX: `Topics.*`). */
export interface ParticipantEventTopics {
  inventoryEvents: string;
  paymentEvents: string;
  shippingEvents: string;
}

/** Where a participant reply came from (the consumer's topic and the `causation-id` header). */
export interface ReplyOrigin {
  /** The topic the reply was consumed from. */
  topic: string;
  causationId: string | null;
}

export interface ReplyMeta extends ReplyOrigin {
  type: ReplyType;
}

/** The command a reply type answers, and the participant topic it must come from. */
export function commandAnswered(type: ReplyType): {
  command: CommandName;
  topic: keyof ParticipantEventTopics;
} {
  switch (type) {
    case 'StockReserved':
    case 'StockRejected':
      return { command: 'ReserveStock', topic: 'inventoryEvents' };
    case 'StockReleased':
      return { command: 'ReleaseStock', topic: 'inventoryEvents' };
    case 'PaymentSucceeded':
    case 'PaymentFailed':
      return { command: 'ProcessPayment', topic: 'paymentEvents' };
    case 'PaymentRefunded':
      return { command: 'RefundPayment', topic: 'paymentEvents' };
    case 'ShippingScheduled':
    case 'ShippingFailed':
    // A carrier event answers no command, but carries the ScheduleShipping command's id as causation.
    case 'ShipmentPickedUp':
    case 'ShipmentDelivered':
      return { command: 'ScheduleShipping', topic: 'shippingEvents' };
    case 'ShippingCancelled':
      return { command: 'CancelShipping', topic: 'shippingEvents' };
    default: {
      const unexpected: never = type;
      throw new TypeError(`not a reply type: ${String(unexpected)}`);
    }
  }
}

/** The command a state is waiting for a reply to; null when it waits for none (final or failed). */
export function stepCommandOf(state: SagaStateName): CommandName | null {
  switch (state) {
    case 'reservingStock':
      return 'ReserveStock';
    case 'processingPayment':
      return 'ProcessPayment';
    case 'schedulingShipping':
      return 'ScheduleShipping';
    case 'cancellingShipping':
      return 'CancelShipping';
    case 'refundingPayment':
      return 'RefundPayment';
    case 'releasingStock':
      return 'ReleaseStock';
    case 'completed':
    case 'shipped':
    case 'delivered':
    case 'cancelled':
    case 'failed':
      return null;
    default: {
      const unexpected: never = state;
      throw new TypeError(`unknown saga state ${String(unexpected)}`);
    }
  }
}

const everyCommand: readonly CommandName[] = [
  'ReserveStock',
  'ProcessPayment',
  'ScheduleShipping',
  'CancelShipping',
  'RefundPayment',
  'ReleaseStock',
];

/** Whether `id` is the message id of any command of this saga, in this or an earlier round. */
function isOwnCommand(orderId: string, round: number, id: string): boolean {
  for (let r = round; r >= 0; r--)
    for (const command of everyCommand) if (commandMessageId(orderId, command, r) === id) return true;
  return false;
}

/**
 * The verdict on one reply. Accepting costs one id derivation; only a rejected reply with a causation
 * id derives the saga's other command ids (to tell a late reply from a forged one).
 */
export function checkReply(
  saga: PersistedSaga,
  reply: ReplyMeta,
  topics: ParticipantEventTopics,
): ReplyVerdict {
  const answered = commandAnswered(reply.type);
  if (reply.topic !== topics[answered.topic]) return { accepted: false, reason: 'wrong_topic' };
  if (reply.causationId === null) return { accepted: false, reason: 'no_causation_id' };
  const { orderId, round } = saga.context;
  const causation = reply.causationId.toLowerCase();
  if (isCarrierEvent(reply.type)) return checkCarrierCausation(orderId, round, causation);
  if (
    stepCommandOf(saga.value) === answered.command &&
    commandMessageId(orderId, answered.command, round) === causation
  )
    return { accepted: true };
  return {
    accepted: false,
    reason: isOwnCommand(orderId, round, causation) ? 'earlier_step' : 'unknown_causation',
  };
}

const isCarrierEvent = (type: ReplyType): boolean =>
  type === 'ShipmentPickedUp' || type === 'ShipmentDelivered';

/**
 * A carrier event (on shipping's topic, checked before) counts if its causation id is this saga's
 * ScheduleShipping command, which only shipping has seen: whether the saga's state takes it is the
 * machine's to say (a shipment event in any other state is ignored).
 */
function checkCarrierCausation(orderId: string, round: number, causation: string): ReplyVerdict {
  for (let r = round; r >= 0; r--)
    if (commandMessageId(orderId, 'ScheduleShipping', r) === causation) return { accepted: true };
  return {
    accepted: false,
    reason: isOwnCommand(orderId, round, causation) ? 'earlier_step' : 'unknown_causation',
  };
}

/** The `reply_rejected` history row of a reply the check turned away: the saga stays where it is. */
export const rejectedReplyRow = (
  saga: PersistedSaga,
  cause: EventCause,
  origin: ReplyOrigin,
  reason: ReplyRejectionReason,
  at: Date,
): HistoryRow => ({
  order_id: saga.context.orderId,
  kind: 'reply_rejected',
  type: cause.type,
  message_id: cause.messageId,
  from_state: saga.value,
  to_state: saga.value,
  // The reply's own fields go under `reply`: a payload's `reason` (StockRejected, PaymentFailed…)
  // must not stand in for, or be overwritten by, the reason it was rejected.
  detail: { reason, topic: origin.topic, causationId: origin.causationId, reply: cause.detail ?? null },
  at,
});
