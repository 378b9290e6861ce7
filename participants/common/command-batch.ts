import type {
  InventoryEventsRecord,
  PaymentEventsRecord,
  ShippingEventsRecord,
  TypedRecord,
} from '../../lib/contracts/generated.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';
import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import {
  type CommandOutcome,
  commandOutcomeOf,
  createParticipantMetrics,
} from '../../lib/metrics/participant-metrics.ts';
import type { OutgoingMessage } from '../../lib/outbox/outbox.ts';
import type { ServiceDeps } from '../../lib/service/run-service.ts';
import {
  commandOrderId,
  InvalidCommandError,
  replyTo,
  UnsupportedRecordError,
  withOrderId,
} from './command-messages.ts';

/** A reply of a participant: a record of one of the participants' events topics (not a carrier event). */
type ParticipantReplyRecord = Exclude<
  InventoryEventsRecord | PaymentEventsRecord | ShippingEventsRecord,
  { type: 'ShipmentPickedUp' | 'ShipmentDelivered' }
>;

/** What a participant's pure decision returns: a change and a reply, or a contract violation. */
export type Decision<Change extends { kind: string }> =
  | { kind: 'reply'; change: Change; reply: ParticipantReplyRecord; warning: string | null }
  | { kind: 'invalid'; problem: string };

/** A command of this participant, with its canonical (lower-case) order id. */
export interface PendingCommand<C> {
  message: IncomingMessage;
  command: C;
  orderId: string;
}

export type ParticipantHandlerDeps = Pick<ServiceDeps, 'outbox' | 'newId' | 'logger'> &
  Partial<Pick<ServiceDeps, 'metrics'>>;

/**
 * How one participant handles its commands. `lock` loads (and row-locks) what the whole batch
 * needs; `decide` is the pure decision; `apply` updates the loaded state in memory so the next
 * command of the batch sees the change; `save` writes every change at once.
 */
export interface CommandBatchSpec<
  C extends TypedRecord & { payload: { orderId: string } },
  Loaded,
  Change extends { kind: string },
> {
  service: string;
  handles: readonly string[];
  accepts(record: TypedRecord): record is C;
  lock(unit: UnitOfWork, commands: readonly PendingCommand<C>[]): Promise<Loaded>;
  /**
   * Forward commands whose order normally has no row yet (the first command of the order this
   * participant sees). A batch of only these, for distinct orders, is decided on what `load` returns
   * without reading the orders' rows: nothing at all for payment and shipping (the transaction is
   * one write statement), the stock rows for inventory. If an order had a row after all (a re-sent
   * command, a compensation that came first), the insert's guard fails the batch
   * (ExistingOrderRowsError), the unit of work runs again, and this time the batch uses `lock`.
   */
  newOrders?: {
    commands: readonly C['type'][];
    load(unit: UnitOfWork, commands: readonly PendingCommand<C>[]): Promise<Loaded>;
  };
  decide(
    command: C,
    loaded: Loaded,
    context: { orderId: string; decline: boolean; messageId: string; correlationId: string },
  ): Decision<Change>;
  apply(loaded: Loaded, change: Change): void;
  /** Adds every change to the unit of work's write batch (sent with the outbox rows in one statement). */
  save(unit: UnitOfWork, changes: readonly Change[]): void;
  /** Called with the batch's changes once its transaction committed (the participant's own metrics). */
  committed?(changes: readonly Change[]): void;
}

/**
 * The batch handler every participant shares: for each message in order, map record → decision →
 * state change → reply (new message id, same order and correlation ids, causation id = the
 * command's message id). One lock-and-load (none for a batch of new orders' forward commands, see
 * `newOrders`), one write and one outbox append per batch. A record the
 * participant does not handle, an invalid command or the `fail` fault throws: the consumer retries
 * the message alone, then dead-letters it.
 */
export function createCommandBatchHandler<
  C extends TypedRecord & { payload: { orderId: string } },
  Loaded,
  Change extends { kind: string },
>(
  spec: CommandBatchSpec<C, Loaded, Change>,
  deps: ParticipantHandlerDeps,
  faults: FaultSwitch,
): BatchHandler {
  const log = deps.logger.child({ component: `${spec.service}-handler` });
  const metrics = deps.metrics === undefined ? null : createParticipantMetrics(deps.metrics);
  // Orders of batches decided without a read whose transaction has not committed (yet): if the batch
  // runs again, it reads them. Bounded: forgetting an entry only costs one more failed attempt.
  const unconfirmed = new Set<string>();
  const maxUnconfirmed = 10_000;
  const decidedUnread = (commands: readonly PendingCommand<C>[]): boolean => {
    const newOrders = spec.newOrders;
    if (newOrders === undefined) return false;
    const orders = new Set<string>();
    for (const { command, orderId } of commands) {
      if (!newOrders.commands.includes(command.type) || unconfirmed.has(orderId) || orders.has(orderId))
        return false;
      orders.add(orderId);
    }
    return true;
  };

  return async (unit, messages) => {
    const commands: PendingCommand<C>[] = [];
    for (const message of messages) {
      const { record } = message;
      if (!spec.accepts(record)) throw new UnsupportedRecordError(spec.service, record.type, spec.handles);
      faults.failIfInjected(record.type);
      const orderId = commandOrderId(message, record.payload.orderId);
      commands.push({ message, command: withOrderId(record, orderId), orderId });
    }
    if (commands.length === 0) return;

    let loaded: Loaded;
    if (spec.newOrders && decidedUnread(commands)) {
      loaded = await spec.newOrders.load(unit, commands);
      if (unconfirmed.size + commands.length > maxUnconfirmed) unconfirmed.clear();
      for (const { orderId } of commands) unconfirmed.add(orderId);
    } else {
      loaded = await spec.lock(unit, commands);
    }
    if (unconfirmed.size > 0)
      unit.afterCommit(() => {
        for (const { orderId } of commands) unconfirmed.delete(orderId);
      });
    const changes: Change[] = [];
    const replies: OutgoingMessage[] = [];
    // Command type and outcome, in pairs: counted once the transaction committed.
    const outcomes: Array<string | CommandOutcome> = [];
    for (const { message, command, orderId } of commands) {
      const decision = spec.decide(command, loaded, {
        orderId,
        decline: faults.declines(command.type),
        messageId: message.meta.messageId,
        correlationId: message.meta.correlationId,
      });
      switch (decision.kind) {
        case 'invalid':
          throw new InvalidCommandError(message, decision.problem);
        case 'reply':
          break;
        default: {
          const unexpected: never = decision;
          throw new TypeError(`unexpected decision ${JSON.stringify(unexpected)}`);
        }
      }
      const context = {
        orderId,
        messageId: message.meta.messageId,
        command: command.type,
        reply: decision.reply.type,
      };
      if (decision.warning !== null) log.warn(context, decision.warning);
      else log.debug({ ...context, change: decision.change.kind }, 'command handled');
      spec.apply(loaded, decision.change);
      changes.push(decision.change);
      if (metrics !== null)
        outcomes.push(command.type, commandOutcomeOf(decision.reply.type, decision.change.kind !== 'none'));
      replies.push(replyTo(message, orderId, decision.reply, deps.newId));
    }

    spec.save(unit, changes);
    await deps.outbox.append(unit, replies);
    if (metrics !== null)
      unit.afterCommit(() => {
        for (let i = 0; i < outcomes.length; i += 2)
          metrics.handled(outcomes[i] as string, outcomes[i + 1] as CommandOutcome);
      });
    if (spec.committed) {
      const committed = spec.committed;
      unit.afterCommit(() => committed(changes));
    }
  };
}
