/**
 * A carrier event applied to a shipment, in one transaction: lock the shipment row (by shipment
 * id), decide (carrier-decisions.ts), write the row and append the event to shipping's outbox. The
 * HTTP route and the simulated carrier both go through here.
 */
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWork, UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import type { IdGenerator } from '../../lib/ids.ts';
import type { Outbox } from '../../lib/outbox/outbox.ts';
import { type CarrierDecision, type CarrierEvent, decideCarrierEvent } from './carrier-decisions.ts';
import {
  type ShipmentRow,
  shipmentColumns,
  shipmentsTable,
  toShipment,
  toShipmentRow,
} from './shipping-store.ts';

export interface CarrierEventDeps {
  units: UnitOfWorkRunner;
  outbox: Outbox;
  newId: IdGenerator;
}

export type CarrierEventResult = CarrierDecision | { kind: 'not_found' };

/** Locks and loads one shipment by its shipment id; null when there is none. */
async function lockShipmentById(unit: UnitOfWork, shipmentId: string) {
  const [row] = await unit.read<ShipmentRow>(
    queryBuilder('shipping.shipments')
      .select(...shipmentColumns)
      .where({ shipment_id: shipmentId })
      .forUpdate(),
  );
  return row === undefined ? null : toShipment(row);
}

export function applyCarrierEvent(
  deps: CarrierEventDeps,
  shipmentId: string,
  event: CarrierEvent,
): Promise<CarrierEventResult> {
  return deps.units.run(async (unit): Promise<CarrierEventResult> => {
    const shipment = await lockShipmentById(unit, shipmentId);
    if (shipment === null) return { kind: 'not_found' };
    const decision = decideCarrierEvent(shipment, event);
    if (decision.kind !== 'advance') return decision;
    shipmentsTable.upsert(unit.writes, [toShipmentRow(decision.shipment)]);
    // The causation id is the ScheduleShipping command's: the orchestrator accepts a carrier event
    // only with it (orchestrator/saga/reply-check.ts), as it accepts a reply only to its command.
    await deps.outbox.append(unit, [
      {
        record: decision.record,
        messageId: deps.newId(),
        orderId: shipment.orderId,
        correlationId: shipment.scheduledBy?.correlationId ?? shipment.orderId,
        causationId: shipment.scheduledBy?.messageId ?? null,
      },
    ]);
    return decision;
  });
}

/** Shipments whose next carrier event is due: scheduled before `pickUpBefore`, picked up before `deliverBefore`. */
export async function dueShipments(
  units: UnitOfWorkRunner,
  due: { pickUpBefore: Date; deliverBefore: Date; limit: number },
): Promise<Array<{ shipmentId: string; next: CarrierEvent['type'] }>> {
  const rows = await units.run((unit) =>
    unit.read<{ shipment_id: string; status: string }>(
      queryBuilder('shipping.shipments')
        .select('shipment_id', 'status')
        .where((q) =>
          q
            .where({ status: 'SCHEDULED' })
            .andWhere('created_at', '<=', due.pickUpBefore)
            .orWhere((p) =>
              p.where({ status: 'PICKED_UP' }).andWhere('picked_up_at', '<=', due.deliverBefore),
            ),
        )
        .orderBy('created_at')
        .limit(due.limit),
    ),
  );
  return rows.map((r) => ({
    shipmentId: r.shipment_id,
    next: r.status === 'SCHEDULED' ? 'PICKED_UP' : 'DELIVERED',
  }));
}
