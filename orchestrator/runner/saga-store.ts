import type { CustomerContact, OrderItem, ShippingAddress } from '../../lib/contracts/generated.ts';
import { binaryArray } from '../../lib/db/pg-binary-array.ts';
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';
import { unnestInsert } from '../../lib/db/unnest-insert.ts';
import { storedSagaJson } from '../saga/order-pricing.ts';
import type { OrderRecord } from '../saga/order-record.ts';
import type { HistoryRow } from '../saga/saga-history.ts';
import type { CancelReason, OrderStatus, PersistedSaga, StoredSaga } from '../saga/saga-types.ts';
import { currentStoredSaga } from '../saga/snapshot-version.ts';
import { sagaRowStatus } from './in-flight-counter.ts';

/** A saga row joined with its order: locked for the current transaction, or from the cache (SagaCache). */
export interface LoadedSaga {
  order: OrderRecord;
  persisted: StoredSaga;
  version: number;
  status: OrderStatus;
  deadlineAt: Date | null;
  /** When the saga was last written, i.e. its current step's command last sent (the metrics' step latency). */
  updatedAt?: Date;
}

export interface SagaWrite {
  orderId: string;
  persisted: PersistedSaga;
  /** Version read under the lock or taken from the cache; the update checks it (the optimistic guard). */
  expectedVersion: number;
  deadlineAt: Date | null;
  status: OrderStatus;
  cancelReason: CancelReason | null;
  statusChanged: boolean;
  /** With a status change: the order's catalog total, if inventory priced it (orders.total); else null. */
  total: number | null;
}

/** A new order's row (JSON columns as text). */
export interface OrderRow {
  order_id: string;
  customer_id: string;
  items: string;
  total: number | null;
  currency: string;
  payment_token: string;
  shipping_address: string;
  contact: string | null;
  status: OrderStatus;
  idempotency_key: string | null;
  request_fingerprint: string | null;
  correlation_id: string;
  created_at: Date;
  updated_at: Date;
}

/** A new saga's row. */
export interface SagaRow {
  order_id: string;
  state: string;
  snapshot: string;
  version: number;
  deadline_at: Date | null;
  updated_at: Date;
}

export const insertOrders = unnestInsert<OrderRow>({
  table: 'orders.orders',
  columns: {
    order_id: 'uuid',
    customer_id: 'text',
    items: 'jsonb',
    total: 'bigint',
    currency: 'text',
    payment_token: 'text',
    shipping_address: 'jsonb',
    contact: 'jsonb',
    status: 'text',
    idempotency_key: 'text',
    request_fingerprint: 'text',
    correlation_id: 'uuid',
    created_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
});

export const insertSagas = unnestInsert<SagaRow>({
  table: 'orders.sagas',
  columns: {
    order_id: 'uuid',
    state: 'text',
    snapshot: 'jsonb',
    version: 'int',
    deadline_at: 'timestamptz',
    updated_at: 'timestamptz',
  },
});

export class ConcurrentSagaUpdateError extends Error {
  constructor(orderIds: readonly string[]) {
    super(`saga version changed under a row lock for orders ${orderIds.join(', ')}`);
    this.name = 'ConcurrentSagaUpdateError';
  }
}

interface JoinedRow {
  order_id: string;
  customer_id: string;
  items: OrderItem[];
  total: number | null;
  currency: string;
  payment_token: string;
  shipping_address: ShippingAddress;
  contact: CustomerContact | null;
  correlation_id: string;
  parked: boolean;
  snapshot: StoredSaga;
  version: number;
  deadline_at: Date | null;
  updated_at: Date;
}

export const toOrderRecord = (
  row: Omit<JoinedRow, 'snapshot' | 'version' | 'parked' | 'deadline_at' | 'updated_at'>,
): OrderRecord => ({
  orderId: row.order_id,
  customerId: row.customer_id,
  items: row.items,
  total: row.total,
  currency: row.currency,
  paymentToken: row.payment_token,
  shippingAddress: row.shipping_address,
  contact: row.contact,
  correlationId: row.correlation_id,
});

/**
 * Locks the sagas of the given orders (one statement, `for update` in order-id order so concurrent
 * batches cannot deadlock) and returns them with their orders.
 */
export async function lockSagas(
  unit: UnitOfWork,
  orderIds: readonly string[],
): Promise<Map<string, LoadedSaga>> {
  const rows = await unit.read<JoinedRow>(
    queryBuilder.raw(
      `select o.order_id, o.customer_id, o.items, o.total, o.currency, o.payment_token, o.shipping_address,
            o.contact, o.correlation_id, s.parked, s.snapshot, s.version, s.deadline_at, s.updated_at
       from orders.sagas s join orders.orders o using (order_id)
      where s.order_id = any(?::uuid[])
      order by s.order_id
        for update of s`,
      [binaryArray('uuid', orderIds)],
    ),
  );
  return new Map(
    rows.map((row) => {
      // A snapshot of another version is upgraded, or refused with UnsupportedSnapshotVersionError.
      const persisted = currentStoredSaga(row.snapshot, row.order_id);
      return [
        row.order_id,
        {
          order: toOrderRecord(row),
          persisted,
          version: row.version,
          // From the locked saga row, never o.status: see sagaRowStatus.
          status: sagaRowStatus({ state: persisted.value, parked: row.parked }),
          deadlineAt: row.deadline_at,
          updatedAt: row.updated_at,
        },
      ];
    }),
  );
}

/**
 * Writes every changed saga (and the order status where it changed) as two set-based statements of
 * the transaction's write batch. The saga update must touch every row (version check) or the whole
 * transaction fails, with ConcurrentSagaUpdateError unless `versionMismatch` makes another error.
 */
export function saveSagas(
  unit: UnitOfWork,
  writes: readonly SagaWrite[],
  versionMismatch: () => Error = () => new ConcurrentSagaUpdateError(writes.map((w) => w.orderId)),
): void {
  if (writes.length === 0) return;
  const batch = unit.writes;
  batch.add(
    `update orders.sagas s
        set state = v.state, snapshot = v.snapshot, version = s.version + 1, deadline_at = v.deadline_at, parked = false, updated_at = now()
       from unnest(?::uuid[], ?::text[], ?::jsonb[], ?::timestamptz[], ?::int[]) as v(order_id, state, snapshot, deadline_at, version)
      where s.order_id = v.order_id and s.version = v.version`,
    [
      binaryArray(
        'uuid',
        writes.map((w) => w.orderId),
      ),
      binaryArray(
        'text',
        writes.map((w) => w.persisted.value),
      ),
      binaryArray(
        'jsonb',
        writes.map((w) => storedSagaJson(w.persisted)),
      ),
      binaryArray(
        'timestamptz',
        writes.map((w) => w.deadlineAt),
      ),
      binaryArray(
        'int',
        writes.map((w) => w.expectedVersion),
      ),
    ],
    { rows: writes.length, error: versionMismatch },
  );
  // Orders whose status changed, with their catalog total once known (a null total keeps the stored one).
  const orderChanges = writes.filter((w) => w.statusChanged);
  if (orderChanges.length === 0) return;
  batch.add(
    `update orders.orders o
        set status = v.status,
            cancel_reason = case when v.status_changed then v.cancel_reason else o.cancel_reason end,
            total = coalesce(v.total, o.total), updated_at = now()
       from unnest(?::uuid[], ?::text[], ?::text[], ?::boolean[], ?::bigint[])
            as v(order_id, status, cancel_reason, status_changed, total)
      where o.order_id = v.order_id`,
    [
      binaryArray(
        'uuid',
        orderChanges.map((w) => w.orderId),
      ),
      binaryArray(
        'text',
        orderChanges.map((w) => w.status),
      ),
      binaryArray(
        'text',
        orderChanges.map((w) => w.cancelReason),
      ),
      binaryArray(
        'boolean',
        orderChanges.map((w) => w.statusChanged),
      ),
      binaryArray(
        'bigint',
        orderChanges.map((w) => w.total),
      ),
    ],
  );
}

/**
 * Checks, in the transaction's write statement, that these sagas still have these versions (sagas
 * an event left unchanged, decided on without reading them); otherwise the transaction fails with
 * the error `versionMismatch` makes.
 */
export function checkSagaVersions(
  unit: UnitOfWork,
  sagas: ReadonlyArray<{ orderId: string; version: number }>,
  versionMismatch: () => Error,
): void {
  if (sagas.length === 0) return;
  unit.writes.addCheck(
    `select 1 from orders.sagas s
       join unnest(?::uuid[], ?::int[]) as v(order_id, version) on s.order_id = v.order_id and s.version = v.version`,
    [
      binaryArray(
        'uuid',
        sagas.map((s) => s.orderId),
      ),
      binaryArray(
        'int',
        sagas.map((s) => s.version),
      ),
    ],
    { rows: sagas.length, error: versionMismatch },
  );
}

/** A history row as inserted: its detail as JSON text. */
export type HistoryInsertRow = Omit<HistoryRow, 'detail'> & { detail: string | null };

/** The history insert: constant text for any number of rows (arrays, not a VALUES list of 8 × n parameters). */
export const historyInsert = unnestInsert<HistoryInsertRow>({
  table: 'orders.saga_history',
  columns: {
    order_id: 'uuid',
    kind: 'text',
    type: 'text',
    message_id: 'uuid',
    from_state: 'text',
    to_state: 'text',
    detail: 'jsonb',
    at: 'timestamptz',
  },
});

export function insertHistory(unit: UnitOfWork, rows: readonly HistoryRow[]): void {
  if (rows.length === 0) return;
  unit.writes.add(
    historyInsert.sql,
    historyInsert.bind(
      rows.map((r) => ({ ...r, detail: r.detail === null ? null : JSON.stringify(r.detail) })),
    ),
  );
}
