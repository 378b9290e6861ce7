/**
 * Inventory's domain decisions, pure: (command, current state) → (change to store, reply to send).
 *
 * Rules (each command is idempotent by order id, on top of the inbox's message-id deduplication):
 * - ReserveStock reserves every line or nothing. Duplicate SKUs are summed. A SKU not in the catalog
 *   → StockRejected `unknown_sku`; too few units → StockRejected `out_of_stock` with the shortages.
 *   The rejection is recorded, so a repeat gets the same answer.
 * - ReleaseStock puts a RESERVED reservation's units back (StockReleased released=true). With nothing
 *   reserved it writes a RELEASED tombstone (released=false): a late ReserveStock for that order then
 *   cannot reserve any more (StockRejected `out_of_stock`, no shortages, and a warning).
 * - A repeat after the reservation was released is answered with that same "nothing is held"
 *   rejection: a reply never claims a hold that no longer exists.
 * - StockReserved carries each reserved line's catalog price (one line per SKU). The prices are
 *   kept with the reservation, so a repeat answers with the prices the order was reserved at.
 */
import type {
  InventoryEventsRecord,
  ReleaseStock,
  ReservedLine,
  ReserveStock,
  StockItem,
  StockRejectionReason,
  StockShortage,
  TypedRecord,
} from '../../lib/contracts/generated.ts';
import type { ParticipantCommands } from '../../lib/faults/fault-routes.ts';

export const inventoryCommands = {
  forward: ['ReserveStock'],
  compensations: ['ReleaseStock'],
} as const satisfies ParticipantCommands;

export type InventoryCommandName = 'ReserveStock' | 'ReleaseStock';
export type InventoryCommand = TypedRecord<InventoryCommandName>;

export const isInventoryCommand = (record: TypedRecord): record is InventoryCommand =>
  record.type === 'ReserveStock' || record.type === 'ReleaseStock';

export type ReservationStatus = 'RESERVED' | 'REJECTED' | 'RELEASED';

/** A SKU's catalog price: minor units of `currency` per unit. */
export interface CatalogPrice {
  unitPrice: number;
  currency: string;
}

/** A line of a reservation: priced when reserved (rows written before prices existed have none). */
export type ReservationItem = StockItem & Partial<CatalogPrice>;

/** The one reservation row of an order. */
export interface Reservation {
  orderId: string;
  /** Set once units were reserved; null for a rejection and for a release tombstone. */
  reservationId: string | null;
  status: ReservationStatus;
  /** Aggregated lines (one per SKU, sorted by SKU); empty for a tombstone. */
  items: ReservationItem[];
  /** Why it was rejected (status REJECTED), so a repeat gets the same answer. */
  rejection: { reason: StockRejectionReason; shortages: StockShortage[] } | null;
}

/** Units to add to (positive) or take from (negative) one SKU. */
export interface StockDelta {
  sku: string;
  delta: number;
}

export interface InventoryState {
  /** The order's reservation row, if any. */
  reservation: Reservation | null;
  /** Available units per catalog SKU (at least those the command names); a SKU missing here is unknown. */
  available: ReadonlyMap<string, number>;
  /** Catalog price per SKU (at least those the command names and the catalog has). */
  prices: ReadonlyMap<string, CatalogPrice>;
}

export interface InventoryDecisionOptions {
  /** Id for a new reservation (used only when one is made). */
  newReservationId: string;
  /** Fault `decline` is on for this command: refuse a new reservation with reason fault_injected. */
  decline: boolean;
}

export type InventoryChange =
  | { kind: 'none' }
  | { kind: 'reserve'; reservation: Reservation; stock: StockDelta[] }
  | { kind: 'reject'; reservation: Reservation }
  | { kind: 'release'; reservation: Reservation; stock: StockDelta[] }
  | { kind: 'tombstone'; reservation: Reservation };

export type InventoryDecision =
  | { kind: 'reply'; change: InventoryChange; reply: InventoryEventsRecord; warning: string | null }
  | { kind: 'invalid'; problem: string };

const none: InventoryChange = { kind: 'none' };

/**
 * The reply lines of a reservation's items; empty when one has no price (a reservation made before
 * prices existed): the orchestrator then cannot price the order and charges nothing.
 */
function reservedLines(items: readonly ReservationItem[]): ReservedLine[] {
  const lines: ReservedLine[] = [];
  for (const { sku, quantity, unitPrice, currency } of items) {
    if (unitPrice === undefined || currency === undefined) return [];
    lines.push({ sku, quantity, unitPrice, currency });
  }
  return lines;
}

const reserved = (
  orderId: string,
  reservationId: string,
  items: readonly ReservationItem[],
): InventoryEventsRecord => ({
  type: 'StockReserved',
  payload: { orderId, reservationId, lines: reservedLines(items) },
});
const rejected = (
  orderId: string,
  reason: StockRejectionReason,
  shortages: StockShortage[],
): InventoryEventsRecord => ({
  type: 'StockRejected',
  payload: { orderId, reason, shortages },
});
const releasedReply = (orderId: string, released: boolean): InventoryEventsRecord => ({
  type: 'StockReleased',
  payload: { orderId, released },
});

/** One line per SKU (quantities summed), sorted by SKU. */
export function aggregateItems(items: readonly StockItem[]): StockItem[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of items) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([sku, quantity]) => ({ sku, quantity }));
}

/** Contract checks of ReserveStock: non-empty, SKUs non-empty, quantities positive integers. */
export function reserveStockProblem(command: ReserveStock): string | null {
  if (command.items.length === 0) return 'items is empty';
  for (const [index, item] of command.items.entries()) {
    if (item.sku.trim() === '') return `items[${index}].sku is empty`;
    if (!Number.isInteger(item.quantity) || item.quantity <= 0) {
      return `items[${index}].quantity must be a positive integer (got ${item.quantity})`;
    }
  }
  return null;
}

export function decideInventory(
  command: InventoryCommand,
  state: InventoryState,
  options: InventoryDecisionOptions,
): InventoryDecision {
  switch (command.type) {
    case 'ReserveStock':
      return decideReserve(command.payload, state, options);
    case 'ReleaseStock':
      return decideRelease(command.payload, state);
    default: {
      const unexpected: never = command;
      throw new TypeError(`unexpected inventory command ${JSON.stringify(unexpected)}`);
    }
  }
}

function decideReserve(
  command: ReserveStock,
  state: InventoryState,
  options: InventoryDecisionOptions,
): InventoryDecision {
  const problem = reserveStockProblem(command);
  if (problem !== null) return { kind: 'invalid', problem };
  const { orderId } = command;
  const existing = state.reservation;
  if (existing !== null) return repeatReserve(orderId, existing);

  const items = aggregateItems(command.items);
  const reject = (reason: StockRejectionReason, shortages: StockShortage[]): InventoryDecision => ({
    kind: 'reply',
    change: {
      kind: 'reject',
      reservation: {
        orderId,
        reservationId: null,
        status: 'REJECTED',
        items,
        rejection: { reason, shortages },
      },
    },
    reply: rejected(orderId, reason, shortages),
    warning: null,
  });
  if (options.decline) return reject('fault_injected', []);

  const shortages: StockShortage[] = [];
  let unknown = false;
  for (const { sku, quantity } of items) {
    const available = state.available.get(sku);
    if (available === undefined || !state.prices.has(sku)) {
      unknown = true;
      shortages.push({ sku, requested: quantity, available: 0 });
    } else if (available < quantity) {
      shortages.push({ sku, requested: quantity, available });
    }
  }
  if (shortages.length > 0) return reject(unknown ? 'unknown_sku' : 'out_of_stock', shortages);

  const priced: ReservationItem[] = items.map((item) => ({ ...item, ...state.prices.get(item.sku) }));
  return {
    kind: 'reply',
    change: {
      kind: 'reserve',
      reservation: {
        orderId,
        reservationId: options.newReservationId,
        status: 'RESERVED',
        items: priced,
        rejection: null,
      },
      stock: items.map(({ sku, quantity }) => ({ sku, delta: -quantity })),
    },
    reply: reserved(orderId, options.newReservationId, priced),
    warning: null,
  };
}

/** ReserveStock for an order that already has a reservation row: the recorded answer, no change. */
function repeatReserve(orderId: string, existing: Reservation): InventoryDecision {
  switch (existing.status) {
    case 'RESERVED':
      if (existing.reservationId === null)
        throw new TypeError(`reservation of order ${orderId} is RESERVED without an id`);
      return {
        kind: 'reply',
        change: none,
        reply: reserved(orderId, existing.reservationId, existing.items),
        warning: null,
      };
    case 'REJECTED': {
      const { reason, shortages } = existing.rejection ?? { reason: 'out_of_stock', shortages: [] };
      return { kind: 'reply', change: none, reply: rejected(orderId, reason, shortages), warning: null };
    }
    case 'RELEASED':
      return {
        kind: 'reply',
        change: none,
        reply: rejected(orderId, 'out_of_stock', []),
        warning:
          existing.reservationId === null
            ? 'ReserveStock arrived after ReleaseStock for an order with nothing reserved (tombstone); not reserving'
            : `ReserveStock arrived after reservation ${existing.reservationId} was released; not reserving again`,
      };
    default: {
      const unexpected: never = existing.status;
      throw new TypeError(`unexpected reservation status ${String(unexpected)}`);
    }
  }
}

function decideRelease(command: ReleaseStock, state: InventoryState): InventoryDecision {
  const { orderId } = command;
  const existing = state.reservation;
  if (existing === null) {
    return {
      kind: 'reply',
      change: {
        kind: 'tombstone',
        reservation: { orderId, reservationId: null, status: 'RELEASED', items: [], rejection: null },
      },
      reply: releasedReply(orderId, false),
      warning: null,
    };
  }
  switch (existing.status) {
    case 'RESERVED':
      return {
        kind: 'reply',
        change: {
          kind: 'release',
          reservation: { ...existing, status: 'RELEASED' },
          stock: existing.items.map(({ sku, quantity }) => ({ sku, delta: quantity })),
        },
        reply: releasedReply(orderId, true),
        warning: null,
      };
    case 'REJECTED':
      // Nothing is held, and the REJECTED row already stops a late ReserveStock.
      return { kind: 'reply', change: none, reply: releasedReply(orderId, false), warning: null };
    case 'RELEASED':
      // Same answer as the first ReleaseStock: true if it released a reservation, false for a tombstone.
      return {
        kind: 'reply',
        change: none,
        reply: releasedReply(orderId, existing.reservationId !== null),
        warning: null,
      };
    default: {
      const unexpected: never = existing.status;
      throw new TypeError(`unexpected reservation status ${String(unexpected)}`);
    }
  }
}
