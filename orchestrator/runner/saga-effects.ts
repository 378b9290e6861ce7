import type { TypedRecord } from '../../lib/contracts/generated.ts';
import type { OutgoingMessage } from '../../lib/outbox/outbox.ts';
import { commandMessageId } from '../saga/command-ids.ts';
import type { CommandName, OrderLifecycleEvent, SagaAction, SagaContext } from '../saga/saga-types.ts';
import type { OrderRecord } from './order-record.ts';

export interface DeadlinePolicy {
  /** Deadline of a step's first attempt. */
  stepTimeoutMs: number;
  /** Each re-send waits this many times longer than the previous attempt (exponential backoff). */
  backoffMultiplier: number;
  maxStepTimeoutMs: number;
  /** Random extra of up to this percentage, so re-sends of many sagas do not arrive in lockstep. */
  jitterPercent: number;
}

export type DeadlineChange = { kind: 'keep' } | { kind: 'set'; at: Date } | { kind: 'clear' };

export interface HistoryEntry {
  kind: 'command_sent' | 'order_event';
  type: string;
  messageId: string;
  detail: Record<string, unknown>;
}

export interface Effects {
  messages: OutgoingMessage[];
  deadline: DeadlineChange;
  history: HistoryEntry[];
}

export interface EffectContext {
  order: OrderRecord;
  saga: SagaContext;
  now: Date;
  /** In [0, 1); injected so the planner stays a pure function. */
  random: () => number;
  newId: () => string;
  /** Id of the message (reply, HTTP request) that caused these effects. */
  causationId: string | null;
  policy: DeadlinePolicy;
}

export { commandMessageId } from '../saga/command-ids.ts';

export function deadlineAfter(
  attempt: number,
  { now, random, policy }: Pick<EffectContext, 'now' | 'random' | 'policy'>,
): Date {
  const base = Math.min(
    policy.maxStepTimeoutMs,
    policy.stepTimeoutMs * policy.backoffMultiplier ** (attempt - 1),
  );
  const jitter = base * (policy.jitterPercent / 100) * random();
  return new Date(now.getTime() + Math.round(base + jitter));
}

function commandRecord(command: CommandName, order: OrderRecord, saga: SagaContext): TypedRecord {
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

function catalogTotal(saga: SagaContext, what: string): number {
  if (saga.catalog === null)
    throw new Error(`order ${saga.orderId}: ${what} needs the catalog total, which is not known yet`);
  return saga.catalog.total;
}

function lifecycleRecord(event: OrderLifecycleEvent, order: OrderRecord, saga: SagaContext): TypedRecord {
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
        },
      };
    case 'OrderCompleted':
      return {
        type: 'OrderCompleted',
        payload: { orderId, total: catalogTotal(saga, 'OrderCompleted'), currency: order.currency },
      };
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

/** Turns the machine's actions into outbox messages, a deadline change and history entries. Pure. */
export function planEffects(actions: readonly SagaAction[], ctx: EffectContext): Effects {
  const effects: Effects = { messages: [], deadline: { kind: 'keep' }, history: [] };
  const envelope = (record: TypedRecord, messageId: string): OutgoingMessage => ({
    record,
    messageId,
    orderId: ctx.order.orderId,
    correlationId: ctx.order.correlationId,
    causationId: ctx.causationId,
  });
  for (const action of actions) {
    switch (action.type) {
      case 'sendCommand': {
        const { command, attempt, round } = action.params;
        const messageId = commandMessageId(ctx.order.orderId, command, round);
        effects.messages.push(envelope(commandRecord(command, ctx.order, ctx.saga), messageId));
        effects.history.push({ kind: 'command_sent', type: command, messageId, detail: { attempt, round } });
        break;
      }
      case 'armDeadline':
        effects.deadline = { kind: 'set', at: deadlineAfter(action.params.attempt, ctx) };
        break;
      case 'disarmDeadline':
        effects.deadline = { kind: 'clear' };
        break;
      case 'publishOrderEvent': {
        const record = lifecycleRecord(action.params, ctx.order, ctx.saga);
        const messageId = ctx.newId();
        effects.messages.push(envelope(record, messageId));
        effects.history.push({ kind: 'order_event', type: record.type, messageId, detail: {} });
        break;
      }
      default: {
        const unknown: never = action;
        throw new Error(`unknown saga action ${JSON.stringify(unknown)}`);
      }
    }
  }
  return effects;
}
