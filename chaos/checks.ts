/**
 * The invariants checked after quiescence. Each returns one table row: what was checked, how many
 * items, and every violation with enough detail to start a diagnosis (order id, kind, SQL facts).
 */
import type { Knex } from 'knex';
import { readSagasInFlight } from '../orchestrator/runner/saga-store.ts';
import type { PlacedOrder } from './driver.ts';
import { expectedOutcome, type OrderKind } from './order-mix.ts';
import type { ReplyScan } from './reply-scan.ts';

/** A period in which the consumer groups of `services` could not make progress (a kill, a broker restart). */
export interface Disruption {
  what: string;
  services: string[];
  /** epoch ms */
  from: number;
  /** epoch ms when every affected instance was ready again; null if never seen ready */
  to: number | null;
}

export interface CheckResult {
  id: string;
  invariant: string;
  checked: number;
  violations: string[];
  /** Facts worth printing even without a violation (e.g. how many FAILED, duplicate publishes). */
  notes?: string[];
}

interface OrderRow {
  order_id: string;
  status: string;
  cancel_reason: string | null;
  /** The catalog total once inventory priced the order; null before. */
  total: number | null;
  idempotency_key: string | null;
  state: string;
  items: Array<{ sku: string; quantity: number }>;
}

export interface CheckInput {
  db: Knex;
  placed: readonly PlacedOrder[];
  replies: ReplyScan;
  deadLetters: Record<string, number>;
  disruptions: readonly Disruption[];
  /** A step that timed out up to this long after a disruption ended is still explained by it (backlog). */
  graceMs: number;
}

const participantOfState: Record<string, string> = {
  reservingStock: 'inventory',
  processingPayment: 'payment',
  schedulingShipping: 'shipping',
};

interface HistoryRow {
  order_id: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  at: Date;
}

/**
 * Why a saga timed out: the forward step whose last deadline passed, and when that step started
 * and gave up. Null when the history shows no forward step running out of attempts.
 */
function timedOutStep(history: readonly HistoryRow[]): { state: string; from: number; to: number } | null {
  const giveUp = [...history]
    .reverse()
    .find(
      (h) =>
        h.kind === 'deadline_passed' &&
        h.from_state !== null &&
        h.from_state in participantOfState &&
        h.to_state !== h.from_state,
    );
  if (!giveUp?.from_state) return null;
  const state = giveUp.from_state;
  const entered = history.find(
    (h) => h.to_state === state && (h.kind === 'saga_started' || h.kind === 'reply_received'),
  );
  return { state, from: (entered ?? giveUp).at.getTime(), to: giveUp.at.getTime() };
}

const terminalStatuses = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);
const statusOfState: Record<string, string> = {
  completed: 'COMPLETED',
  cancelled: 'CANCELLED',
  failed: 'FAILED',
};
const schemas = ['orders', 'inventory', 'payment', 'shipping'] as const;
const commandTypes: Record<string, readonly string[]> = {
  inventory: ['ReserveStock', 'ReleaseStock'],
  payment: ['ProcessPayment', 'RefundPayment'],
  shipping: ['ScheduleShipping', 'CancelShipping'],
};

const aggregate = (items: ReadonlyArray<{ sku: string; quantity: number }>): string =>
  JSON.stringify(
    [
      ...items.reduce((m, i) => m.set(i.sku, (m.get(i.sku) ?? 0) + i.quantity), new Map<string, number>()),
    ].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

export async function runChecks({
  db,
  placed,
  replies,
  deadLetters,
  disruptions,
  graceMs,
}: CheckInput): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const orders: OrderRow[] = await db('orders.orders as o')
    .join('orders.sagas as s', 's.order_id', 'o.order_id')
    .select(
      'o.order_id',
      'o.status',
      'o.cancel_reason',
      'o.total',
      'o.idempotency_key',
      's.state',
      'o.items',
    );
  const byId = new Map(orders.map((o) => [o.order_id, o]));
  const byKey = new Map(
    orders.filter((o) => o.idempotency_key !== null).map((o) => [o.idempotency_key as string, o]),
  );
  const kindOf = new Map<string, OrderKind>();
  const placedByKey = new Map(placed.map((p) => [p.key, p]));

  // 0: every acknowledged order exists once; a key always named the same order; no stray orders.
  {
    const violations: string[] = [];
    for (const p of placed) {
      const row = byKey.get(p.key);
      if (row) kindOf.set(row.order_id, p.kind);
      if (p.gaveUp !== null)
        violations.push(`order #${p.n} (${p.kind}, key ${p.key}) never acknowledged: ${p.gaveUp}`);
      if (p.orderIds.size > 1)
        violations.push(
          `key ${p.key} answered with ${p.orderIds.size} different order ids: ${[...p.orderIds].join(', ')}`,
        );
      for (const id of p.orderIds) {
        if (!byId.has(id))
          violations.push(
            `order ${id} (#${p.n}, ${p.kind}) was acknowledged (202) but is not in orders.orders`,
          );
        else if (byId.get(id)?.idempotency_key !== p.key)
          violations.push(
            `order ${id} was acknowledged for key ${p.key} but stored with key ${byId.get(id)?.idempotency_key}`,
          );
      }
    }
    for (const o of orders) {
      if (o.idempotency_key === null || !placedByKey.has(o.idempotency_key))
        violations.push(
          `order ${o.order_id} in the database was never placed by this run (key ${o.idempotency_key})`,
        );
    }
    const retried = placed.filter((p) => p.attempts > 1).length;
    results.push({
      id: '0',
      invariant: 'acknowledged orders exist exactly once (Idempotency-Key)',
      checked: placed.length,
      violations,
      notes: [`${retried} POSTs needed more than one attempt (same Idempotency-Key)`],
    });
  }

  // 1: every order terminal, and its status agrees with its saga's state.
  {
    const violations: string[] = [];
    for (const o of orders) {
      if (!terminalStatuses.has(o.status))
        violations.push(
          `order ${o.order_id} (${kindOf.get(o.order_id) ?? '?'}) is ${o.status}, saga in ${o.state}`,
        );
      else if (statusOfState[o.state] !== o.status)
        violations.push(`order ${o.order_id} is ${o.status} but its saga is in ${o.state}`);
    }
    results.push({
      id: '1',
      invariant: 'every order terminal (COMPLETED/CANCELLED/FAILED)',
      checked: orders.length,
      violations,
    });
  }

  // 1b: FAILED needs a compensation that could not complete; this run injects no compensation fault.
  {
    const failed = orders.filter((o) => o.status === 'FAILED');
    results.push({
      id: '1b',
      invariant: 'no FAILED saga (no compensation fault injected)',
      checked: orders.length,
      violations: failed.map(
        (o) => `order ${o.order_id} (${kindOf.get(o.order_id) ?? '?'}) FAILED in ${o.state}`,
      ),
    });
  }

  // 1c: the in-flight counter admission control reads stayed exact through crashes and restarts.
  {
    const counted = await readSagasInFlight(db);
    const pending = orders.filter((o) => o.status === 'PENDING').length;
    results.push({
      id: '1c',
      invariant: 'sagas in flight (orders.sagas_in_flight) = PENDING orders',
      checked: orders.length,
      violations:
        counted === pending
          ? []
          : [`orders.sagas_in_flight sums to ${counted}; ${pending} orders are PENDING`],
    });
  }

  // 2: stock conservation per SKU.
  {
    const rows: Array<{ sku: string; available: number; seeded: number; held: number }> = (
      await db.raw(`
        select s.sku, s.available, s.seeded, coalesce(r.held, 0)::int as held
          from inventory.stock s
          left join (select item->>'sku' as sku, sum((item->>'quantity')::int) as held
                       from inventory.reservations, jsonb_array_elements(items) as item
                      where status = 'RESERVED'
                      group by 1) r using (sku)
         order by s.sku`)
    ).rows;
    const violations = rows
      .filter((r) => r.available + r.held !== r.seeded)
      .map(
        (r) =>
          `${r.sku}: available ${r.available} + reserved ${r.held} = ${r.available + r.held}, seeded ${r.seeded}`,
      );
    results.push({
      id: '2',
      invariant: 'per SKU: available + active reservations = seeded',
      checked: rows.length,
      violations,
      notes:
        rows.filter((r) => r.held > 0 || r.available !== r.seeded).length === 0 ? ['no stock moved'] : [],
    });
  }

  // 2b: a COMPLETED order holds exactly its items; any other terminal order holds nothing.
  {
    const reservations: Array<{
      order_id: string;
      status: string;
      items: Array<{ sku: string; quantity: number }>;
    }> = await db('inventory.reservations').select('order_id', 'status', 'items');
    const byOrder = new Map(reservations.map((r) => [r.order_id, r]));
    const violations: string[] = [];
    for (const o of orders) {
      const r = byOrder.get(o.order_id);
      if (o.status === 'COMPLETED') {
        if (r?.status !== 'RESERVED')
          violations.push(`COMPLETED order ${o.order_id} has reservation ${r?.status ?? 'none'}`);
        else if (aggregate(r.items) !== aggregate(o.items))
          violations.push(
            `COMPLETED order ${o.order_id} reserved ${aggregate(r.items)}, ordered ${aggregate(o.items)}`,
          );
      } else if (o.status === 'CANCELLED' && r?.status === 'RESERVED') {
        violations.push(
          `CANCELLED order ${o.order_id} (${kindOf.get(o.order_id) ?? '?'}) still holds ${aggregate(r.items)}`,
        );
      }
    }
    for (const r of reservations)
      if (!byId.has(r.order_id)) violations.push(`reservation for unknown order ${r.order_id} (${r.status})`);
    results.push({
      id: '2b',
      invariant: 'reservation matches outcome per order',
      checked: orders.length,
      violations,
    });
  }

  // 3: ledger: at most one charge; net = total for COMPLETED, 0 otherwise; that total is the
  // catalog's (Σ quantity × inventory.stock.unit_price: the run changes no price).
  {
    const prices = new Map<string, number>(
      (await db('inventory.stock').select('sku', 'unit_price')).map(
        (r: { sku: string; unit_price: number }) => [r.sku, Number(r.unit_price)],
      ),
    );
    const catalogTotalOf = (o: OrderRow): number =>
      o.items.reduce((sum, { sku, quantity }) => sum + quantity * (prices.get(sku) ?? Number.NaN), 0);
    const ledger: Array<{
      order_id: string;
      charges: number;
      refunds: number;
      charged: number;
      refunded: number;
    }> = (
      await db.raw(`
        select order_id,
               count(*) filter (where kind = 'charge')::int as charges,
               count(*) filter (where kind = 'refund')::int as refunds,
               coalesce(sum(amount) filter (where kind = 'charge'), 0)::bigint as charged,
               coalesce(sum(amount) filter (where kind = 'refund'), 0)::bigint as refunded
          from payment.ledger group by order_id`)
    ).rows;
    const byOrder = new Map(ledger.map((l) => [l.order_id, l]));
    const violations: string[] = [];
    for (const o of orders) {
      const l = byOrder.get(o.order_id);
      const net = l ? Number(l.charged) - Number(l.refunded) : 0;
      if (l && l.charges > 1) violations.push(`order ${o.order_id}: ${l.charges} charges`);
      if (l && l.refunds > 1) violations.push(`order ${o.order_id}: ${l.refunds} refunds`);
      if (o.status === 'FAILED') continue;
      if (o.status === 'COMPLETED' && Number(o.total) !== catalogTotalOf(o))
        violations.push(
          `COMPLETED order ${o.order_id}: total ${o.total}, catalog total ${catalogTotalOf(o)}`,
        );
      const want = o.status === 'COMPLETED' ? Number(o.total) : 0;
      if (net !== want)
        violations.push(
          `${o.status} order ${o.order_id} (${kindOf.get(o.order_id) ?? '?'}): charged ${l?.charged ?? 0} − refunded ${l?.refunded ?? 0} = ${net}, expected ${want}`,
        );
    }
    for (const l of ledger)
      if (!byId.has(l.order_id)) violations.push(`ledger rows for unknown order ${l.order_id}`);
    results.push({
      id: '3',
      invariant: 'ledger: ≤1 charge; charges − refunds = catalog total if COMPLETED else 0',
      checked: orders.length,
      violations,
    });
  }

  // 4: every outbox drained.
  {
    const violations: string[] = [];
    for (const schema of schemas) {
      const [row] = await db(`${schema}.outbox`).count<Array<{ count: string }>>('* as count');
      const n = Number(row?.count ?? 0);
      if (n > 0) violations.push(`${schema}.outbox still holds ${n} rows`);
    }
    results.push({ id: '4', invariant: 'every outbox drained', checked: schemas.length, violations });
  }

  // 5a: one effect row per order in every participant; shipment matches outcome.
  {
    const violations: string[] = [];
    for (const [table, column] of [
      ['inventory.reservations', 'order_id'],
      ['payment.payments', 'order_id'],
      ['shipping.shipments', 'order_id'],
    ] as const) {
      const dups: Array<{ order_id: string; n: number }> = (
        await db.raw(
          `select ${column} as order_id, count(*)::int as n from ${table} group by 1 having count(*) > 1`,
        )
      ).rows;
      for (const d of dups) violations.push(`${table}: ${d.n} rows for order ${d.order_id}`);
    }
    const ledgerDups: Array<{ order_id: string; kind: string; n: number }> = (
      await db.raw(
        `select order_id, kind, count(*)::int as n from payment.ledger group by 1, 2 having count(*) > 1`,
      )
    ).rows;
    for (const d of ledgerDups)
      violations.push(`payment.ledger: ${d.n} ${d.kind} rows for order ${d.order_id}`);
    const shipments: Array<{ order_id: string; status: string }> = await db('shipping.shipments').select(
      'order_id',
      'status',
    );
    const shipmentOf = new Map(shipments.map((s) => [s.order_id, s.status]));
    const payments: Array<{ order_id: string; status: string }> = await db('payment.payments').select(
      'order_id',
      'status',
    );
    const paymentOf = new Map(payments.map((s) => [s.order_id, s.status]));
    for (const o of orders) {
      const shipment = shipmentOf.get(o.order_id);
      const payment = paymentOf.get(o.order_id);
      if (o.status === 'COMPLETED') {
        if (shipment !== 'SCHEDULED')
          violations.push(`COMPLETED order ${o.order_id} has shipment ${shipment ?? 'none'}`);
        if (payment !== 'CHARGED')
          violations.push(`COMPLETED order ${o.order_id} has payment ${payment ?? 'none'}`);
      } else if (o.status === 'CANCELLED') {
        if (shipment === 'SCHEDULED')
          violations.push(`CANCELLED order ${o.order_id} still has a SCHEDULED shipment`);
        if (payment === 'CHARGED')
          violations.push(`CANCELLED order ${o.order_id} still has a CHARGED payment`);
      }
    }
    results.push({
      id: '5a',
      invariant: 'one reservation/payment/shipment per order, matching outcome',
      checked: orders.length,
      violations,
    });
  }

  // 5b: every command a participant recorded as processed was answered exactly once.
  const replyIdsByCause = new Map<string, Set<string>>();
  const distinctReplies = new Map<string, (typeof replies.records)[number]>();
  for (const r of replies.records) {
    distinctReplies.set(r.messageId, r);
    if (r.causationId === null) continue;
    const set = replyIdsByCause.get(r.causationId) ?? new Set<string>();
    set.add(r.messageId);
    replyIdsByCause.set(r.causationId, set);
  }
  {
    const violations: string[] = [];
    let checked = 0;
    const processed = new Set<string>();
    for (const [schema, types] of Object.entries(commandTypes)) {
      const inbox: Array<{ message_id: string; record_type: string }> = await db(`${schema}.inbox`)
        .whereIn('record_type', [...types])
        .select('message_id', 'record_type');
      for (const row of inbox) {
        checked += 1;
        processed.add(row.message_id);
        const answers = replyIdsByCause.get(row.message_id)?.size ?? 0;
        if (answers === 0)
          violations.push(
            `${schema} processed ${row.record_type} ${row.message_id} but no reply is on Kafka`,
          );
        if (answers > 1)
          violations.push(
            `${schema} answered ${row.record_type} ${row.message_id} ${answers} times (applied more than once)`,
          );
      }
    }
    for (const [cause, ids] of replyIdsByCause) {
      if (!processed.has(cause))
        violations.push(`${ids.size} reply(ies) caused by ${cause}, a command no participant inbox holds`);
    }
    const published = replies.records.length;
    results.push({
      id: '5b',
      invariant: 'each processed command answered exactly once',
      checked,
      violations,
      notes: [
        `${distinctReplies.size} distinct replies on Kafka, ${published - distinctReplies.size} duplicate publishes (same message id)`,
      ],
    });
  }

  // 5c: the orchestrator applied every reply exactly once (inbox + one history row per reply). A
  // late reply (to a step the saga has left) is `reply_rejected` with reason earlier_step, or
  // `reply_ignored`; every reply of this run is genuine, so any other rejection reason is a bug.
  {
    const violations: string[] = [];
    const inbox = new Set(
      ((await db('orders.inbox').select('message_id')) as Array<{ message_id: string }>).map(
        (r) => r.message_id,
      ),
    );
    const history: Array<{ message_id: string; n: number; kinds: string }> = (
      await db.raw(`
        select message_id, count(*)::int as n,
               string_agg(kind || ':' || type || coalesce(':' || (detail->>'reason'), ''), ',') as kinds
          from orders.saga_history
         where kind in ('reply_received', 'reply_ignored', 'reply_rejected') and message_id is not null
         group by 1`)
    ).rows;
    const historyOf = new Map(history.map((h) => [h.message_id, h]));
    for (const [id, r] of distinctReplies) {
      if (!inbox.has(id))
        violations.push(
          `reply ${r.type} ${id} for order ${r.orderId} is on Kafka but the orchestrator never processed it`,
        );
      const h = historyOf.get(id);
      if (!h) violations.push(`reply ${r.type} ${id} for order ${r.orderId} has no saga_history row`);
      else if (h.n > 1) violations.push(`reply ${id} applied ${h.n} times: ${h.kinds}`);
      else if (h.kinds.startsWith('reply_rejected') && !h.kinds.endsWith(':earlier_step'))
        violations.push(`genuine reply ${r.type} ${id} for order ${r.orderId} was rejected: ${h.kinds}`);
    }
    const ignored = history.filter((h) => h.kinds.startsWith('reply_ignored')).length;
    const late = history.filter((h) => h.kinds.startsWith('reply_rejected')).length;
    results.push({
      id: '5c',
      invariant: 'orchestrator applied each reply exactly once',
      checked: distinctReplies.size,
      violations,
      notes: [
        `${late} replies answered a step the saga had left (reply_rejected, earlier_step), ${ignored} arrived when it expected no such reply (reply_ignored)`,
      ],
    });
  }

  // 5d: nothing dead-lettered.
  {
    const violations = Object.entries(deadLetters).map(([topic, n]) => `${topic}: ${n} dead letters`);
    results.push({ id: '5d', invariant: 'no dead letters', checked: 7, violations });
  }

  // 6: expected outcome per kind. A timeout is the saga's correct answer to a participant that
  // cannot answer within the step's deadlines, so a non-silent order that timed out is explained
  // (not a violation) when the step that ran out of attempts overlapped a disruption of that
  // participant's or the orchestrator's consumer group (or a broker restart). Anything else is not.
  {
    const violations: string[] = [];
    const explained = new Map<string, number>();
    const unexplained = new Map<string, number>();
    let checked = 0;
    const mismatched: Array<{ p: PlacedOrder; row: OrderRow; got: string; want: string }> = [];
    for (const p of placed) {
      const row = byKey.get(p.key);
      if (!row) continue;
      checked += 1;
      const want = expectedOutcome[p.kind];
      if (row.status !== want.status || (row.cancel_reason ?? null) !== want.cancelReason)
        mismatched.push({
          p,
          row,
          got: `${row.status}${row.cancel_reason ? `/${row.cancel_reason}` : ''}`,
          want: `${want.status}${want.cancelReason ? `/${want.cancelReason}` : ''}`,
        });
    }
    const timedOut = mismatched.filter((m) => m.row.cancel_reason === 'timeout').map((m) => m.row.order_id);
    const histories = new Map<string, HistoryRow[]>();
    for (let i = 0; i < timedOut.length; i += 2_000) {
      const rows: HistoryRow[] = await db('orders.saga_history')
        .whereIn('order_id', timedOut.slice(i, i + 2_000))
        .orderBy(['order_id', 'id'])
        .select('order_id', 'kind', 'from_state', 'to_state', 'at');
      for (const r of rows) histories.set(r.order_id, [...(histories.get(r.order_id) ?? []), r]);
    }
    for (const { p, row, got, want } of mismatched) {
      const label = `${p.kind} → ${got}`;
      let cause: string | null = null;
      if (row.status === 'CANCELLED' && row.cancel_reason === 'timeout') {
        const step = timedOutStep(histories.get(row.order_id) ?? []);
        if (step) {
          const affected = new Set(['orchestrator', participantOfState[step.state] as string]);
          const overlapping = disruptions.filter(
            (d) =>
              d.services.some((s) => affected.has(s)) &&
              d.from <= step.to &&
              (d.to ?? Number.POSITIVE_INFINITY) + graceMs >= step.from,
          );
          if (overlapping.length > 0)
            cause = `${step.state} during ${overlapping.map((d) => d.what).join(', ')}`;
          else
            violations.push(
              `order ${row.order_id} (#${p.n}, ${p.kind}) ended ${got}, expected ${want}: ${step.state} from ${new Date(step.from).toISOString()} to ${new Date(step.to).toISOString()} overlapped no disruption`,
            );
        } else {
          violations.push(
            `order ${row.order_id} (#${p.n}, ${p.kind}) ended ${got}, expected ${want}; no forward step ran out of attempts`,
          );
        }
      } else {
        violations.push(`order ${row.order_id} (#${p.n}, ${p.kind}) ended ${got}, expected ${want}`);
      }
      const bucket = cause === null ? unexplained : explained;
      bucket.set(label, (bucket.get(label) ?? 0) + 1);
    }
    results.push({
      id: '6',
      invariant: 'expected outcome per order kind',
      checked,
      violations,
      notes: [
        ...[...explained].map(
          ([label, n]) => `${n} × ${label}: timed out during a kill/broker restart (explained)`,
        ),
        ...[...unexplained].map(([label, n]) => `${n} × ${label}: UNEXPLAINED`),
      ],
    });
  }
  return results;
}
