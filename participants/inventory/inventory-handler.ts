import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import type { BatchHandler, IncomingMessage } from '../../lib/messaging/message-consumer.ts';
import type { OutgoingMessage } from '../../lib/outbox/outbox.ts';
import type { ServiceDeps } from '../../lib/service/run-service.ts';
import {
  commandOrderId,
  InvalidCommandError,
  replyTo,
  UnsupportedRecordError,
  withOrderId,
} from '../common/command-messages.ts';
import {
  decideInventory,
  type InventoryChange,
  type InventoryCommand,
  inventoryCommands,
  isInventoryCommand,
} from './inventory-decisions.ts';
import { type LockedInventory, lockInventory, saveInventoryChanges } from './inventory-store.ts';

export type InventoryHandlerDeps = Pick<ServiceDeps, 'outbox' | 'newId' | 'logger'>;

const handledCommands = [...inventoryCommands.forward, ...inventoryCommands.compensations];

/** Applies a decided change to the locked rows in memory, so the next command of the batch sees it. */
function applyInMemory(locked: LockedInventory, change: InventoryChange): void {
  switch (change.kind) {
    case 'none':
      return;
    case 'reserve':
    case 'release':
      locked.reservations.set(change.reservation.orderId, change.reservation);
      for (const { sku, delta } of change.stock) locked.available.set(sku, (locked.available.get(sku) ?? 0) + delta);
      return;
    case 'reject':
    case 'tombstone':
      locked.reservations.set(change.reservation.orderId, change.reservation);
      return;
    default: {
      const unexpected: never = change;
      throw new TypeError(`unexpected inventory change ${JSON.stringify(unexpected)}`);
    }
  }
}

/**
 * Inventory's batch handler: one lock-and-load for the whole batch (reservations, then stock rows in
 * SKU order), then each command in order — decision, in-memory update, reply — then one write of the
 * changes and one outbox append. A record it does not handle, an invalid command or the `fail` fault
 * throws (the consumer retries the message alone, then dead-letters it).
 */
export function createInventoryHandler(deps: InventoryHandlerDeps, faults: FaultSwitch): BatchHandler {
  const log = deps.logger.child({ component: 'inventory-handler' });
  return async (trx, messages) => {
    const commands: Array<{ message: IncomingMessage; command: InventoryCommand; orderId: string }> = [];
    for (const message of messages) {
      const { record } = message;
      if (!isInventoryCommand(record)) throw new UnsupportedRecordError('inventory', record.type, handledCommands);
      faults.failIfInjected(record.type);
      commands.push({ message, command: record, orderId: commandOrderId(message, record.payload.orderId) });
    }

    const locked = await lockInventory(trx, {
      orderIds: commands.map((c) => c.orderId),
      skus: commands.flatMap(({ command }) => (command.type === 'ReserveStock' ? command.payload.items.map((i) => i.sku) : [])),
    });

    const changes: InventoryChange[] = [];
    const replies: OutgoingMessage[] = [];
    for (const { message, command, orderId } of commands) {
      const decision = decideInventory(
        withOrderId(command, orderId),
        { reservation: locked.reservations.get(orderId) ?? null, available: locked.available },
        { newReservationId: deps.newId(), decline: faults.declines(command.type) },
      );
      switch (decision.kind) {
        case 'invalid':
          throw new InvalidCommandError(message, decision.problem);
        case 'reply':
          break;
        default: {
          const unexpected: never = decision;
          throw new TypeError(`unexpected inventory decision ${JSON.stringify(unexpected)}`);
        }
      }
      const context = { orderId, messageId: message.meta.messageId, command: command.type, reply: decision.reply.type };
      if (decision.warning !== null) log.warn(context, decision.warning);
      else log.debug({ ...context, change: decision.change.kind }, 'command handled');
      applyInMemory(locked, decision.change);
      changes.push(decision.change);
      replies.push(replyTo(message, orderId, decision.reply, deps.newId));
    }

    await saveInventoryChanges(trx, changes);
    await deps.outbox.append(trx, replies);
  };
}
