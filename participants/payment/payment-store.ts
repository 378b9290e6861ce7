/**
 * Payment's Postgres reads and writes (schema `payment`), inside the caller's transaction. A batch
 * locks its orders' payment rows (`for update`, sorted by order id) before deciding; the ledger's
 * unique (order_id, kind) makes a second charge or refund of one order impossible.
 */
import type { Knex } from 'knex';
import type { PaymentFailureReason } from '../../lib/contracts/generated.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';
import { unnestInsert } from '../../lib/db/unnest-insert.ts';
import { lockRowsOfOrders } from '../common/lock-by-order.ts';
import { OrderRowsTable, RowWrites } from '../common/row-writes.ts';
import type { LedgerEntry, LedgerKind, Payment, PaymentChange, PaymentStatus } from './payment-decisions.ts';

interface PaymentRow {
  order_id: string;
  payment_id: string | null;
  status: string;
  amount: number;
  currency: string | null;
  customer_id: string | null;
  failure_reason: string | null;
  failure_message: string | null;
}

/** A payment as GET /payments/:orderId shows it. */
export interface PaymentRecord extends Payment {
  createdAt: Date;
  refundedAt: Date | null;
  ledger: Array<{ kind: LedgerKind; amount: number; currency: string; at: Date }>;
}

const paymentsTable = new OrderRowsTable<{
  order_id: string;
  payment_id: string | null;
  status: PaymentStatus;
  amount: number;
  currency: string | null;
  customer_id: string | null;
  failure_reason: string | null;
  failure_message: string | null;
}>({
  table: 'payment.payments',
  columns: {
    order_id: 'uuid',
    payment_id: 'uuid',
    status: 'text',
    amount: 'bigint',
    currency: 'text',
    customer_id: 'text',
    failure_reason: 'text',
    failure_message: 'text',
  },
  computed: { refunded_at: "case when v.status = 'REFUNDED' then now() end" },
});

const insertLedger = unnestInsert<{
  order_id: string;
  payment_id: string;
  kind: LedgerKind;
  amount: number;
  currency: string;
}>({
  table: 'payment.ledger',
  columns: { order_id: 'uuid', payment_id: 'uuid', kind: 'text', amount: 'bigint', currency: 'text' },
});

const paymentStatuses: readonly PaymentStatus[] = ['CHARGED', 'DECLINED', 'REFUNDED', 'VOIDED'];
const failureReasons: readonly PaymentFailureReason[] = ['declined', 'fault_injected'];
const ledgerKinds: readonly LedgerKind[] = ['charge', 'refund'];
const paymentColumns = [
  'order_id',
  'payment_id',
  'status',
  'amount',
  'currency',
  'customer_id',
  'failure_reason',
  'failure_message',
] as const;

function toPayment(row: PaymentRow): Payment {
  const status = paymentStatuses.find((s) => s === row.status);
  if (status === undefined)
    throw new TypeError(`payment of order ${row.order_id} has unknown status '${row.status}'`);
  const reason = failureReasons.find((r) => r === row.failure_reason);
  return {
    orderId: row.order_id,
    paymentId: row.payment_id,
    status,
    amount: row.amount,
    currency: row.currency,
    customerId: row.customer_id,
    failure: reason === undefined ? null : { reason, message: row.failure_message ?? '' },
  };
}

/** Locks and loads the payment rows of these orders (by order id, lower case). */
export async function lockPayments(
  unit: UnitOfWork,
  orderIds: readonly string[],
): Promise<Map<string, Payment>> {
  const rows = await lockRowsOfOrders<PaymentRow>(unit, 'payment.payments', paymentColumns, orderIds);
  return new Map(rows.map((row) => [row.order_id, toPayment(row)]));
}

/** Writes a batch's changes: the last row per order (new rows inserted, locked ones updated) and the ledger entries. */
export function savePaymentChanges(unit: UnitOfWork, changes: readonly PaymentChange[]): void {
  const rows = new RowWrites<Payment>();
  const ledger: LedgerEntry[] = [];
  for (const change of changes) {
    switch (change.kind) {
      case 'none':
        break;
      case 'charge':
      case 'refund':
        rows.set(change.payment.orderId, change.payment, change.kind === 'charge');
        ledger.push(change.ledger);
        break;
      case 'decline':
      case 'void':
        rows.set(change.payment.orderId, change.payment, true);
        break;
      default: {
        const unexpected: never = change;
        throw new TypeError(`unexpected payment change ${JSON.stringify(unexpected)}`);
      }
    }
  }
  paymentsTable.write(unit.writes, rows, (p) => ({
    order_id: p.orderId,
    payment_id: p.paymentId,
    status: p.status,
    amount: p.amount,
    currency: p.currency,
    customer_id: p.customerId,
    failure_reason: p.failure?.reason ?? null,
    failure_message: p.failure?.message ?? null,
  }));
  if (ledger.length > 0) {
    unit.writes.add(
      insertLedger.sql,
      insertLedger.bind(
        ledger.map((e) => ({
          order_id: e.orderId,
          payment_id: e.paymentId,
          kind: e.kind,
          amount: e.amount,
          currency: e.currency,
        })),
      ),
    );
  }
}

/** The payment of an order with its ledger, or null when the payment service never saw the order. */
export async function findPayment(db: Knex, orderId: string): Promise<PaymentRecord | null> {
  const row: (PaymentRow & { created_at: Date; refunded_at: Date | null }) | undefined = await db(
    'payment.payments',
  )
    .select(...paymentColumns, 'created_at', 'refunded_at')
    .where({ order_id: orderId })
    .first();
  if (row === undefined) return null;
  const entries: Array<{ kind: string; amount: number; currency: string; at: Date }> = await db(
    'payment.ledger',
  )
    .select('kind', 'amount', 'currency', 'at')
    .where({ order_id: orderId })
    .orderBy('id');
  return {
    ...toPayment(row),
    createdAt: row.created_at,
    refundedAt: row.refunded_at,
    ledger: entries.map((e) => {
      const kind = ledgerKinds.find((k) => k === e.kind);
      if (kind === undefined)
        throw new TypeError(`ledger entry of order ${orderId} has unknown kind '${e.kind}'`);
      return { kind, amount: e.amount, currency: e.currency, at: e.at };
    }),
  };
}
