/**
 * Shipping's Postgres reads and writes (schema `shipping`), inside the caller's transaction. A batch
 * locks its orders' shipment rows (`for update`, sorted by order id) before deciding.
 */
import type { Knex } from 'knex';
import type { ShipmentItem, ShippingAddress, ShippingFailureReason } from '../../lib/contracts/generated.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';
import { lockRowsOfOrders } from '../common/lock-by-order.ts';
import { OrderRowsTable, RowWrites } from '../common/row-writes.ts';
import type { Shipment, ShipmentStatus, ShippingChange } from './shipping-decisions.ts';

export interface ShipmentRow {
  order_id: string;
  shipment_id: string | null;
  status: string;
  carrier: string | null;
  country: string | null;
  address: ShippingAddress | null;
  items: ShipmentItem[];
  failure_reason: string | null;
  failure_message: string | null;
  scheduled_by: string | null;
  correlation_id: string | null;
  picked_up_at: Date | null;
  delivered_at: Date | null;
}

/** A shipment as GET /shipments/:orderId shows it. */
export interface ShipmentRecord extends Shipment {
  createdAt: Date;
  cancelledAt: Date | null;
}

const shipmentStatuses: readonly ShipmentStatus[] = [
  'SCHEDULED',
  'PICKED_UP',
  'DELIVERED',
  'FAILED',
  'CANCELLED',
  'VOIDED',
];
const failureReasons: readonly ShippingFailureReason[] = ['unserved_destination', 'fault_injected'];
export const shipmentsTable = new OrderRowsTable<{
  order_id: string;
  shipment_id: string | null;
  status: ShipmentStatus;
  carrier: string | null;
  country: string | null;
  address: string | null;
  items: string;
  failure_reason: string | null;
  failure_message: string | null;
  scheduled_by: string | null;
  correlation_id: string | null;
  picked_up_at: Date | null;
  delivered_at: Date | null;
}>({
  table: 'shipping.shipments',
  columns: {
    order_id: 'uuid',
    shipment_id: 'uuid',
    status: 'text',
    carrier: 'text',
    country: 'text',
    address: 'jsonb',
    items: 'jsonb',
    failure_reason: 'text',
    failure_message: 'text',
    scheduled_by: 'uuid',
    correlation_id: 'uuid',
    picked_up_at: 'timestamptz',
    delivered_at: 'timestamptz',
  },
  computed: { cancelled_at: "case when v.status = 'CANCELLED' then now() end" },
});

export const shipmentColumns = [
  'order_id',
  'shipment_id',
  'status',
  'carrier',
  'country',
  'address',
  'items',
  'failure_reason',
  'failure_message',
  'scheduled_by',
  'correlation_id',
  'picked_up_at',
  'delivered_at',
] as const;

export function toShipment(row: ShipmentRow): Shipment {
  const status = shipmentStatuses.find((s) => s === row.status);
  if (status === undefined)
    throw new TypeError(`shipment of order ${row.order_id} has unknown status '${row.status}'`);
  const reason = failureReasons.find((r) => r === row.failure_reason);
  return {
    orderId: row.order_id,
    shipmentId: row.shipment_id,
    status,
    carrier: row.carrier,
    country: row.country,
    address: row.address,
    items: row.items,
    failure: reason === undefined ? null : { reason, message: row.failure_message ?? '' },
    scheduledBy:
      row.scheduled_by === null || row.correlation_id === null
        ? null
        : { messageId: row.scheduled_by, correlationId: row.correlation_id },
    pickedUpAt: row.picked_up_at,
    deliveredAt: row.delivered_at,
  };
}

/** Locks and loads the shipment rows of these orders (by order id, lower case). */
export async function lockShipments(
  unit: UnitOfWork,
  orderIds: readonly string[],
): Promise<Map<string, Shipment>> {
  const rows = await lockRowsOfOrders<ShipmentRow>(unit, 'shipping.shipments', shipmentColumns, orderIds);
  return new Map(rows.map((row) => [row.order_id, toShipment(row)]));
}

/** Writes a batch's changes: the last row per order (new rows inserted, locked ones updated). */
export function saveShippingChanges(unit: UnitOfWork, changes: readonly ShippingChange[]): void {
  const rows = new RowWrites<Shipment>();
  for (const change of changes) {
    switch (change.kind) {
      case 'none':
        break;
      case 'schedule':
      case 'fail':
      case 'void':
        rows.set(change.shipment.orderId, change.shipment, true);
        break;
      case 'cancel':
        rows.set(change.shipment.orderId, change.shipment, false);
        break;
      default: {
        const unexpected: never = change;
        throw new TypeError(`unexpected shipping change ${JSON.stringify(unexpected)}`);
      }
    }
  }
  shipmentsTable.write(unit.writes, rows, toShipmentRow);
}

/** A shipment as its row is written. */
export const toShipmentRow = (s: Shipment) => ({
  order_id: s.orderId,
  shipment_id: s.shipmentId,
  status: s.status,
  carrier: s.carrier,
  country: s.country,
  address: s.address === null ? null : JSON.stringify(s.address),
  items: JSON.stringify(s.items),
  failure_reason: s.failure?.reason ?? null,
  failure_message: s.failure?.message ?? null,
  scheduled_by: s.scheduledBy?.messageId ?? null,
  correlation_id: s.scheduledBy?.correlationId ?? null,
  picked_up_at: s.pickedUpAt,
  delivered_at: s.deliveredAt,
});

/** The shipment of an order, or null when the shipping service never saw the order. */
export async function findShipment(db: Knex, orderId: string): Promise<ShipmentRecord | null> {
  const row: (ShipmentRow & { created_at: Date; cancelled_at: Date | null }) | undefined = await db(
    'shipping.shipments',
  )
    .select(...shipmentColumns, 'created_at', 'cancelled_at')
    .where({ order_id: orderId })
    .first();
  return row === undefined
    ? null
    : { ...toShipment(row), createdAt: row.created_at, cancelledAt: row.cancelled_at };
}
