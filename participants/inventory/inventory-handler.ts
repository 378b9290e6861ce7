import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import type { BatchHandler } from '../../lib/messaging/message-consumer.ts';
import {
  type CommandBatchSpec,
  createCommandBatchHandler,
  type ParticipantHandlerDeps,
  type PendingCommand,
} from '../common/command-batch.ts';
import {
  decideInventory,
  type InventoryChange,
  type InventoryCommand,
  inventoryCommands,
  isInventoryCommand,
} from './inventory-decisions.ts';
import {
  type LockedInventory,
  lockInventory,
  lockStockForNewOrders,
  saveInventoryChanges,
} from './inventory-store.ts';

/** Applies a decided change to the locked rows in memory, so the next command of the batch sees it. */
export function applyInventoryChange(locked: LockedInventory, change: InventoryChange): void {
  switch (change.kind) {
    case 'none':
      return;
    case 'reserve':
    case 'release':
      locked.reservations.set(change.reservation.orderId, change.reservation);
      for (const { sku, delta } of change.stock)
        locked.available.set(sku, (locked.available.get(sku) ?? 0) + delta);
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

/** The SKUs the batch's ReserveStock commands ask for. */
const reservedSkus = (commands: readonly PendingCommand<InventoryCommand>[]): string[] =>
  commands.flatMap(({ command }) =>
    command.type === 'ReserveStock' ? command.payload.items.map((item) => item.sku) : [],
  );

/**
 * Inventory's batch handler: locks the batch's reservation rows, then its stock rows in SKU order,
 * decides each command in order (all-or-nothing reservations, releases, tombstones), writes the
 * changes once and appends the replies to the outbox.
 */
export function createInventoryHandler(deps: ParticipantHandlerDeps, faults: FaultSwitch): BatchHandler {
  const newId = deps.newId;
  const spec: CommandBatchSpec<InventoryCommand, LockedInventory, InventoryChange> = {
    service: 'inventory',
    handles: [...inventoryCommands.forward, ...inventoryCommands.compensations],
    accepts: isInventoryCommand,
    lock: (unit, commands) =>
      lockInventory(unit, { orderIds: commands.map((c) => c.orderId), skus: reservedSkus(commands) }),
    newOrders: {
      commands: ['ReserveStock'],
      load: (unit, commands) => lockStockForNewOrders(unit, reservedSkus(commands)),
    },
    decide: (command, locked, { orderId, decline }) =>
      decideInventory(
        command,
        {
          reservation: locked.reservations.get(orderId) ?? null,
          available: locked.available,
          prices: locked.prices,
        },
        { newReservationId: newId(), decline },
      ),
    apply: applyInventoryChange,
    save: saveInventoryChanges,
  };
  return createCommandBatchHandler(spec, deps, faults);
}
