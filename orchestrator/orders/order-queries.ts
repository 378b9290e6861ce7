import type { Knex } from 'knex';
import type { OrderItem } from '../../lib/contracts/generated.ts';
import type { Fulfilment, OrderStatus, PersistedSaga } from '../saga/saga-types.ts';
import {
  type FulfilmentStatus,
  type FulfilmentView,
  fulfilmentView,
  stateOfFulfilment,
} from './fulfilment-view.ts';

export interface HistoryView {
  at: string;
  kind: string;
  type: string;
  messageId: string | null;
  fromState: string | null;
  toState: string | null;
  detail: Record<string, unknown> | null;
}

export interface OrderSummaryView {
  orderId: string;
  status: OrderStatus;
  cancelReason?: string;
  customerId: string;
  /** The catalog total once inventory priced the order; null before. */
  total: number | null;
  currency: string;
  sagaState: string;
  /** Where the parcel is once shipping is scheduled; null before, and for a cancelled or failed order. */
  fulfilment: FulfilmentView | null;
  createdAt: string;
  updatedAt: string;
}

/** An order line: the catalog's unit price once known (null before), and the one the customer expected. */
export interface OrderLineView {
  sku: string;
  quantity: number;
  unitPrice: number | null;
  expectedUnitPrice: number | null;
}

export interface OrderView extends OrderSummaryView {
  items: OrderLineView[];
  shippingAddress: Record<string, unknown>;
  contact: { email: string; phone: string | null } | null;
  saga: {
    state: string;
    version: number;
    deadlineAt: string | null;
    failure: PersistedSaga['context']['failure'];
    history: HistoryView[];
  };
}

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is malformed: pass the nextCursor value of a previous page unchanged');
    this.name = 'InvalidCursorError';
  }
}

interface SummaryRow {
  order_id: string;
  status: OrderStatus;
  cancel_reason: string | null;
  customer_id: string;
  total: number | null;
  currency: string;
  state: string;
  fulfilment: Fulfilment | null;
  created_at: Date;
  updated_at: Date;
}

/**
 * The catalog total is written to orders.total with the saga's status change; while the saga runs it
 * is in the snapshot (context.catalog.total) once inventory priced the order.
 */
const summaryColumns = (db: Knex) => [
  'o.order_id',
  'o.status',
  'o.cancel_reason',
  'o.customer_id',
  db.raw(`coalesce(o.total, (s.snapshot #>> '{context,catalog,total}')::bigint) as total`),
  'o.currency',
  's.state',
  db.raw(`s.snapshot #> '{context,fulfilment}' as fulfilment`),
  'o.created_at',
  'o.updated_at',
];

const toSummary = (row: SummaryRow): OrderSummaryView => ({
  orderId: row.order_id,
  status: row.status,
  ...(row.cancel_reason === null ? {} : { cancelReason: row.cancel_reason }),
  customerId: row.customer_id,
  total: row.total,
  currency: row.currency,
  sagaState: row.state,
  fulfilment: fulfilmentView(row.state, row.fulfilment),
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const encodeCursor = (row: SummaryRow): string =>
  Buffer.from(JSON.stringify([row.created_at.toISOString(), row.order_id])).toString('base64url');

function decodeCursor(cursor: string): [Date, string] {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    const date = new Date(String(at));
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new InvalidCursorError();
    return [date, id];
  } catch {
    throw new InvalidCursorError();
  }
}

/** `customerId`: only that customer's order (null for another's, as for an unknown id); null: any. */
export async function getOrder(
  db: Knex,
  orderId: string,
  customerId: string | null = null,
): Promise<OrderView | null> {
  const query = db('orders.orders as o')
    .join('orders.sagas as s', 's.order_id', 'o.order_id')
    .where('o.order_id', orderId);
  if (customerId !== null) query.where('o.customer_id', customerId);
  const row = await query.first([
    ...summaryColumns(db),
    'o.items',
    'o.shipping_address',
    'o.contact',
    's.version',
    's.deadline_at',
    's.snapshot',
  ]);
  if (!row) return null;
  const history = await db('orders.saga_history').where({ order_id: orderId }).orderBy('id').select();
  const snapshot = row.snapshot as PersistedSaga;
  // Sagas stored before orders were priced by the catalog have no `catalog` (undefined).
  const unitPrices = snapshot.context.catalog?.unitPrices;
  const items = (row.items as OrderItem[]).map(
    ({ sku, quantity, unitPrice }): OrderLineView => ({
      sku,
      quantity,
      unitPrice: unitPrices?.[sku] ?? null,
      expectedUnitPrice: unitPrice ?? null,
    }),
  );
  return {
    ...toSummary(row as SummaryRow),
    items,
    shippingAddress: row.shipping_address,
    contact: row.contact ?? null,
    saga: {
      state: row.state,
      version: row.version,
      deadlineAt: row.deadline_at ? (row.deadline_at as Date).toISOString() : null,
      failure: snapshot.context.failure,
      history: history.map((h) => ({
        at: (h.at as Date).toISOString(),
        kind: h.kind,
        type: h.type,
        messageId: h.message_id,
        fromState: h.from_state,
        toState: h.to_state,
        detail: h.detail,
      })),
    },
  };
}

/**
 * Newest first, keyset pagination on (created_at, order_id). `customerId`: that customer's orders only
 * (index orders_customer_created_idx); null: everyone's.
 */
export async function listOrders(
  db: Knex,
  {
    status,
    fulfilment,
    limit,
    cursor,
  }: { status?: OrderStatus; fulfilment?: FulfilmentStatus; limit: number; cursor?: string },
  customerId: string | null = null,
): Promise<{ orders: OrderSummaryView[]; nextCursor: string | null }> {
  const query = db('orders.orders as o')
    .join('orders.sagas as s', 's.order_id', 'o.order_id')
    .select(summaryColumns(db));
  if (customerId !== null) query.where('o.customer_id', customerId);
  if (status) query.where('o.status', status);
  // Fulfilment is the saga's state (completed, shipped, delivered): every such order is COMPLETED.
  if (fulfilment) query.where('o.status', 'COMPLETED').where('s.state', stateOfFulfilment[fulfilment]);
  if (cursor) {
    const [at, id] = decodeCursor(cursor);
    query.whereRaw('(o.created_at, o.order_id) < (?, ?::uuid)', [at, id]);
  }
  const rows: SummaryRow[] = await query
    .orderBy([
      { column: 'o.created_at', order: 'desc' },
      { column: 'o.order_id', order: 'desc' },
    ])
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { orders: page.map(toSummary), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}
