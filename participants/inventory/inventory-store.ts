/**
 * Inventory's Postgres reads and writes (schema `inventory`), always inside the caller's transaction.
 *
 * Locking: a batch first locks the reservation rows of its orders (sorted by order id), then the
 * stock rows of every SKU it may touch (sorted by SKU, byte order) with `select … for update`. Every
 * transaction takes its locks in that same global order, so concurrent batches queue instead of
 * deadlocking; a CHECK (available >= 0) backs the decision up.
 */
import type { Knex } from 'knex';
import type { StockRejectionReason, StockShortage } from '../../lib/contracts/generated.ts';
import { binaryArray } from '../../lib/db/pg-binary-array.ts';
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';
import { lockRowsOfOrders } from '../common/lock-by-order.ts';
import { OrderRowsTable, RowWrites } from '../common/row-writes.ts';
import type {
  CatalogPrice,
  InventoryChange,
  Reservation,
  ReservationItem,
  ReservationStatus,
} from './inventory-decisions.ts';

interface ReservationRow {
  order_id: string;
  reservation_id: string | null;
  status: string;
  items: ReservationItem[];
  rejection_reason: string | null;
  shortages: StockShortage[] | null;
}

export interface StockLevel {
  sku: string;
  name: string;
  available: number;
  seeded: number;
  /** Catalog price of one unit in minor units of currency. */
  unitPrice: number;
  currency: string;
  updatedAt: Date;
}

/** The locked rows a batch decides on; the handler updates them in memory between decisions. */
export interface LockedInventory {
  /** Reservation rows by order id (lower case). */
  reservations: Map<string, Reservation>;
  /** Available units by SKU, for every requested SKU in the catalog and every SKU of a held reservation. */
  available: Map<string, number>;
  /** Catalog prices of the same SKUs, read with the locked rows. */
  prices: Map<string, CatalogPrice>;
}

const reservationsTable = new OrderRowsTable<{
  order_id: string;
  reservation_id: string | null;
  status: ReservationStatus;
  items: string;
  rejection_reason: string | null;
  shortages: string | null;
}>({
  table: 'inventory.reservations',
  columns: {
    order_id: 'uuid',
    reservation_id: 'uuid',
    status: 'text',
    items: 'jsonb',
    rejection_reason: 'text',
    shortages: 'jsonb',
  },
  computed: { released_at: "case when v.status = 'RELEASED' then now() end" },
});

const reservationStatuses: readonly ReservationStatus[] = ['RESERVED', 'REJECTED', 'RELEASED'];
const rejectionReasons: readonly StockRejectionReason[] = ['out_of_stock', 'unknown_sku', 'fault_injected'];

function toReservation(row: ReservationRow): Reservation {
  const status = reservationStatuses.find((s) => s === row.status);
  if (status === undefined)
    throw new TypeError(`reservation of order ${row.order_id} has unknown status '${row.status}'`);
  const reason = rejectionReasons.find((r) => r === row.rejection_reason);
  return {
    orderId: row.order_id,
    reservationId: row.reservation_id,
    status,
    items: row.items,
    rejection: reason === undefined ? null : { reason, shortages: row.shortages ?? [] },
  };
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Locks and loads what a batch of commands needs: the orders' reservation rows, then the stock rows
 * of `skus` plus the SKUs of those reservations still held (a release puts them back).
 */
export async function lockInventory(
  unit: UnitOfWork,
  request: { orderIds: readonly string[]; skus: readonly string[] },
): Promise<LockedInventory> {
  const rows = await lockRowsOfOrders<ReservationRow>(
    unit,
    'inventory.reservations',
    ['order_id', 'reservation_id', 'status', 'items', 'rejection_reason', 'shortages'],
    request.orderIds,
  );
  const reservations = new Map(rows.map((row) => [row.order_id, toReservation(row)]));

  const skus = new Set(request.skus);
  for (const reservation of reservations.values()) {
    if (reservation.status === 'RESERVED') for (const item of reservation.items) skus.add(item.sku);
  }
  return { reservations, ...(await lockStock(unit, skus)) };
}

/**
 * What reservations for new orders need (CommandBatchSpec.newOrders): the stock rows of `skus`,
 * locked, and no reservation rows (the orders are taken to have none; the insert checks it).
 */
export async function lockStockForNewOrders(
  unit: UnitOfWork,
  skus: readonly string[],
): Promise<LockedInventory> {
  return { reservations: new Map(), ...(await lockStock(unit, new Set(skus))) };
}

/**
 * Locks the stock rows of these SKUs in byte order (so concurrent batches queue, never deadlock);
 * their levels and catalog prices.
 */
async function lockStock(
  unit: UnitOfWork,
  skuSet: ReadonlySet<string>,
): Promise<Pick<LockedInventory, 'available' | 'prices'>> {
  const skus = [...skuSet].sort(byteOrder);
  if (skus.length === 0) return { available: new Map(), prices: new Map() };
  const stock = await unit.read<{ sku: string; available: number; unit_price: number; currency: string }>(
    queryBuilder('inventory.stock')
      .select('sku', 'available', 'unit_price', 'currency')
      .whereRaw('sku = any(?::text[])', [binaryArray('text', skus)])
      .orderByRaw('sku collate "C"')
      .forUpdate(),
  );
  return {
    available: new Map(stock.map((s) => [s.sku, s.available])),
    prices: new Map(stock.map((s) => [s.sku, { unitPrice: s.unit_price, currency: s.currency }])),
  };
}

/**
 * Writes a batch's changes: the last row per order (new rows inserted, locked ones updated) and the
 * net stock change per SKU (one update). The stock rows must have been locked with lockInventory
 * in the same transaction.
 */
export function saveInventoryChanges(unit: UnitOfWork, changes: readonly InventoryChange[]): void {
  const rows = new RowWrites<Reservation>();
  const deltas = new Map<string, number>();
  for (const change of changes) {
    switch (change.kind) {
      case 'none':
        break;
      case 'reserve':
      case 'release':
        rows.set(change.reservation.orderId, change.reservation, change.kind === 'reserve');
        for (const { sku, delta } of change.stock) deltas.set(sku, (deltas.get(sku) ?? 0) + delta);
        break;
      case 'reject':
      case 'tombstone':
        rows.set(change.reservation.orderId, change.reservation, true);
        break;
      default: {
        const unexpected: never = change;
        throw new TypeError(`unexpected inventory change ${JSON.stringify(unexpected)}`);
      }
    }
  }

  reservationsTable.write(unit.writes, rows, (r) => ({
    order_id: r.orderId,
    reservation_id: r.reservationId,
    status: r.status,
    items: JSON.stringify(r.items),
    rejection_reason: r.rejection?.reason ?? null,
    shortages: r.rejection === null ? null : JSON.stringify(r.rejection.shortages),
  }));

  const netChanges = [...deltas].filter(([, delta]) => delta !== 0).map(([sku, delta]) => ({ sku, delta }));
  if (netChanges.length > 0) {
    unit.writes.add(
      `update inventory.stock as s
          set available = s.available + d.delta, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as d(sku text, delta integer)
        where s.sku = d.sku`,
      [JSON.stringify(netChanges)],
      {
        rows: netChanges.length,
        error: (touched) => new Error(`stock update touched ${touched} of ${netChanges.length} SKUs`),
      },
    );
  }
}

interface StockRow {
  sku: string;
  name: string;
  available: number;
  seeded: number;
  unit_price: number;
  currency: string;
  updated_at: Date;
}

const stockColumns = ['sku', 'name', 'available', 'seeded', 'unit_price', 'currency', 'updated_at'];

const toStockLevel = (row: StockRow): StockLevel => ({
  sku: row.sku,
  name: row.name,
  available: row.available,
  seeded: row.seeded,
  unitPrice: row.unit_price,
  currency: row.currency,
  updatedAt: row.updated_at,
});

/** Every SKU of the catalog with its live level and price (no locks), sorted by SKU. */
export async function listStock(db: Knex): Promise<StockLevel[]> {
  const rows: StockRow[] = await db('inventory.stock').select(stockColumns).orderByRaw('sku collate "C"');
  return rows.map(toStockLevel);
}

/** One SKU's live level and price, or null when it is not in the catalog. */
export async function findStock(db: Knex, sku: string): Promise<StockLevel | null> {
  const row: StockRow | undefined = await db('inventory.stock').select(stockColumns).where({ sku }).first();
  return row === undefined ? null : toStockLevel(row);
}
