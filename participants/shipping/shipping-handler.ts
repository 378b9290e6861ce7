import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import type { BatchHandler } from '../../lib/messaging/message-consumer.ts';
import {
  type CommandBatchSpec,
  createCommandBatchHandler,
  type ParticipantHandlerDeps,
} from '../common/command-batch.ts';
import {
  decideShipping,
  isShippingCommand,
  type Shipment,
  type ShippingChange,
  type ShippingCommand,
  shippingCommands,
} from './shipping-decisions.ts';
import { lockShipments, saveShippingChanges } from './shipping-store.ts';

export interface ShippingHandlerOptions {
  /** Upper-case ISO 3166-1 alpha-2 codes no carrier serves (UNSERVED_COUNTRIES). */
  unservedCountries: readonly string[];
}

/** Applies a decided change to the locked rows in memory, so the next command of the batch sees it. */
export function applyShippingChange(shipments: Map<string, Shipment>, change: ShippingChange): void {
  switch (change.kind) {
    case 'none':
      return;
    case 'schedule':
    case 'fail':
    case 'cancel':
    case 'void':
      shipments.set(change.shipment.orderId, change.shipment);
      return;
    default: {
      const unexpected: never = change;
      throw new TypeError(`unexpected shipping change ${JSON.stringify(unexpected)}`);
    }
  }
}

/**
 * Shipping's batch handler: locks the batch's shipment rows, decides each command in order
 * (carrier by country, unserved destinations, cancellations, tombstones), writes the rows once and
 * appends the replies to the outbox.
 */
export function createShippingHandler(
  deps: ParticipantHandlerDeps,
  faults: FaultSwitch,
  options: ShippingHandlerOptions,
): BatchHandler {
  const newId = deps.newId;
  const unservedCountries = new Set(options.unservedCountries.map((c) => c.toUpperCase()));
  const spec: CommandBatchSpec<ShippingCommand, Map<string, Shipment>, ShippingChange> = {
    service: 'shipping',
    handles: [...shippingCommands.forward, ...shippingCommands.compensations],
    accepts: isShippingCommand,
    newOrders: { commands: ['ScheduleShipping'], load: async () => new Map() },
    lock: (unit, commands) =>
      lockShipments(
        unit,
        commands.map((c) => c.orderId),
      ),
    decide: (command, shipments, { orderId, decline, messageId, correlationId }) =>
      decideShipping(
        command,
        { shipment: shipments.get(orderId) ?? null },
        { newShipmentId: newId(), scheduledBy: { messageId, correlationId }, decline, unservedCountries },
      ),
    apply: applyShippingChange,
    save: saveShippingChanges,
  };
  return createCommandBatchHandler(spec, deps, faults);
}
