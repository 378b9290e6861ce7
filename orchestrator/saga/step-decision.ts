/**
 * What a saga step produces, decided from (snapshot before, the machine's step, the clock): the
 * outbox messages (commands with their derived ids, order events, `OrderStatusChanged`), the history
 * rows and the step deadline. Pure — the random draw and new ids are injected; the runner stores the
 * decision in the transaction that saves the new snapshot.
 */
import type { OutgoingMessage } from '../../lib/outbox/outbox.ts';
import { commandMessageId } from './command-ids.ts';
import type { OrderRecord } from './order-record.ts';
import type { SagaSnapshot, SagaStart, SagaStep } from './order-saga.machine.ts';
import { type EventCause, effectRow, eventRow, type HistoryRow, sagaStartedRow } from './saga-history.ts';
import type { SagaAction, SagaContext, SagaStateName } from './saga-types.ts';
import { commandRecord, envelope, lifecycleRecord, statusChangedMessage } from './step-messages.ts';

export interface DeadlinePolicy {
  /** Deadline of a step's first attempt. */
  stepTimeoutMs: number;
  /** Each re-send waits this many times longer than the previous attempt (exponential backoff). */
  backoffMultiplier: number;
  maxStepTimeoutMs: number;
  /** Random extra of up to this percentage, so re-sends of many sagas do not arrive in lockstep. */
  jitterPercent: number;
}

/** What a decision draws on besides its inputs; the runner's own dependencies, passed as they are. */
export interface StepDecisionDeps {
  deadlinePolicy: DeadlinePolicy;
  /** In [0, 1): the deadline's jitter. */
  random: () => number;
  /** Message ids of order events and `OrderStatusChanged` (a command's id is derived). */
  newId: () => string;
}

/** A new saga's rows and messages: `saga_started`, then its first step's. */
export interface StartDecision {
  history: HistoryRow[];
  messages: OutgoingMessage[];
  /** The first step's deadline; null when it has none. */
  deadlineAt: Date | null;
}

/** One event's outcome for its saga. */
export interface StepDecision {
  /** Whether the saga took the event; an ignored one leaves only its history row. */
  accepted: boolean;
  from: SagaStateName;
  /** `from` when the event was ignored. */
  to: SagaStateName;
  /** The event's row, then one per command sent and order event published. */
  history: HistoryRow[];
  /** Commands and order events in the machine's order, then `OrderStatusChanged` if the state changed. */
  messages: readonly OutgoingMessage[];
  /** The new step deadline; null: cleared; undefined: the stored one stands. */
  deadlineAt: Date | null | undefined;
}

const noMessages: readonly OutgoingMessage[] = Object.freeze([]);

export function deadlineAfter(
  attempt: number,
  now: Date,
  { deadlinePolicy: policy, random }: Pick<StepDecisionDeps, 'deadlinePolicy' | 'random'>,
): Date {
  const base = Math.min(
    policy.maxStepTimeoutMs,
    policy.stepTimeoutMs * policy.backoffMultiplier ** (attempt - 1),
  );
  const jitter = base * (policy.jitterPercent / 100) * random();
  return new Date(now.getTime() + Math.round(base + jitter));
}

/**
 * Turns the machine's actions into messages and history rows, appended to the decision's own
 * arrays; returns the deadline they set (undefined: none armed or disarmed).
 */
function appendEffects(
  actions: readonly SagaAction[],
  order: OrderRecord,
  saga: SagaContext,
  causationId: string | null,
  now: Date,
  deps: StepDecisionDeps,
  messages: OutgoingMessage[],
  history: HistoryRow[],
): Date | null | undefined {
  let deadlineAt: Date | null | undefined;
  for (const action of actions) {
    switch (action.type) {
      case 'sendCommand': {
        const { command, attempt, round } = action.params;
        const messageId = commandMessageId(order.orderId, command, round);
        messages.push(envelope(commandRecord(command, order, saga), messageId, order, causationId));
        history.push(effectRow(order.orderId, 'command_sent', command, messageId, { attempt, round }, now));
        break;
      }
      case 'armDeadline':
        deadlineAt = deadlineAfter(action.params.attempt, now, deps);
        break;
      case 'disarmDeadline':
        deadlineAt = null;
        break;
      case 'publishOrderEvent': {
        const record = lifecycleRecord(action.params, order, saga);
        const messageId = deps.newId();
        messages.push(envelope(record, messageId, order, causationId));
        history.push(effectRow(order.orderId, 'order_event', record.type, messageId, {}, now));
        break;
      }
      default: {
        const unknown: never = action;
        throw new Error(`unknown saga action ${JSON.stringify(unknown)}`);
      }
    }
  }
  return deadlineAt;
}

/** A new saga's decision, from its first snapshot and the actions of entering it. */
export function decideStart(
  order: OrderRecord,
  started: SagaStart,
  now: Date,
  deps: StepDecisionDeps,
): StartDecision {
  const history = [sagaStartedRow(order.orderId, started.snapshot.value, now)];
  const messages: OutgoingMessage[] = [];
  const { context } = started.snapshot;
  const deadlineAt = appendEffects(started.actions, order, context, null, now, deps, messages, history);
  return { history, messages, deadlineAt: deadlineAt ?? null };
}

/** One event's decision, from the snapshot before it and the machine's step. */
export function decideStep(
  order: OrderRecord,
  before: SagaSnapshot,
  cause: EventCause,
  after: SagaStep,
  now: Date,
  deps: StepDecisionDeps,
): StepDecision {
  const from = before.value;
  const history = [eventRow(before, cause, after, now)];
  if (!after.accepted)
    return { accepted: false, from, to: from, history, messages: noMessages, deadlineAt: undefined };
  const to = after.snapshot.value;
  const messages: OutgoingMessage[] = [];
  const { context } = after.snapshot;
  const causationId = cause.messageId;
  const deadlineAt = appendEffects(after.actions, order, context, causationId, now, deps, messages, history);
  if (to !== from) messages.push(statusChangedMessage(order, from, to, causationId, deps.newId()));
  return { accepted: true, from, to, history, messages, deadlineAt };
}
