/**
 * What the dashboard reads from the orchestrator's own schema (orders): counts by status and cancel
 * reason, revenue, and recent throughput and latency. Other services' numbers come from their
 * /metrics (system-metrics.ts): the orchestrator's role may not read their schemas.
 *
 * The counts scan the orders' status index; the dashboard reads them once per second, and only while
 * a browser watches (dashboard-feed.ts).
 */
import type { Knex } from 'knex';
import type { OrderStatus } from '../saga/saga-types.ts';

export interface OutcomeCount {
  status: OrderStatus;
  /** The cancel reason (CANCELLED), else null. */
  reason: string | null;
  orders: number;
}

export interface Revenue {
  currency: string;
  /** Sum of COMPLETED orders' totals, minor units. */
  total: number;
}

export interface OrderTotals {
  placed: number;
  byStatus: Record<OrderStatus, number>;
  outcomes: OutcomeCount[];
  revenue: Revenue[];
}

/** One bucket of the throughput chart: sagas that ended in it, and how long they took. */
export interface ThroughputBucket {
  /** Start of the bucket, ms since the epoch. */
  at: number;
  completed: number;
  /** CANCELLED or FAILED. */
  compensated: number;
  meanSeconds: number | null;
  p95Seconds: number | null;
}

export const orderStatuses: readonly OrderStatus[] = ['PENDING', 'COMPLETED', 'CANCELLED', 'FAILED'];

/** Orders by status and cancel reason, with the revenue of completed ones, in one scan. */
export async function readOrderTotals(db: Knex): Promise<OrderTotals> {
  const rows: Array<{
    status: OrderStatus;
    reason: string | null;
    currency: string;
    n: string;
    total: string;
  }> = await db('orders.orders')
    .select('status', { reason: 'cancel_reason' }, 'currency')
    .count({ n: '*' })
    .sum({ total: 'total' })
    .groupBy('status', 'cancel_reason', 'currency');
  const byStatus = Object.fromEntries(orderStatuses.map((s) => [s, 0])) as Record<OrderStatus, number>;
  const outcomes = new Map<string, OutcomeCount>();
  const revenue = new Map<string, number>();
  for (const row of rows) {
    const n = Number(row.n);
    byStatus[row.status] = (byStatus[row.status] ?? 0) + n;
    const key = `${row.status}:${row.reason ?? ''}`;
    const outcome = outcomes.get(key) ?? { status: row.status, reason: row.reason, orders: 0 };
    outcome.orders += n;
    outcomes.set(key, outcome);
    if (row.status === 'COMPLETED')
      revenue.set(row.currency, (revenue.get(row.currency) ?? 0) + Number(row.total));
  }
  return {
    placed: Object.values(byStatus).reduce((a, b) => a + b, 0),
    byStatus,
    outcomes: [...outcomes.values()].sort((a, b) => b.orders - a.orders),
    revenue: [...revenue].map(([currency, total]) => ({ currency, total })),
  };
}

/**
 * Sagas that ended in each `bucketSeconds` of the last `windowSeconds`, with their mean and 95th
 * percentile duration (placed → ended). Reads orders placed in the window plus a minute (index
 * orders_created_idx): a saga that ran longer than that is left out of the chart.
 */
export async function readThroughput(
  db: Knex,
  { windowSeconds, bucketSeconds }: { windowSeconds: number; bucketSeconds: number },
): Promise<ThroughputBucket[]> {
  const { rows } = await db.raw<{
    rows: Array<{
      bucket: string;
      completed: string;
      compensated: string;
      mean_s: number | null;
      p95_s: number | null;
    }>;
  }>(
    `select floor(extract(epoch from updated_at) / :bucket)::bigint * :bucket as bucket,
            count(*) filter (where status = 'COMPLETED') as completed,
            count(*) filter (where status <> 'COMPLETED') as compensated,
            avg(extract(epoch from updated_at - created_at))::float8 as mean_s,
            percentile_cont(0.95) within group (order by extract(epoch from updated_at - created_at))::float8 as p95_s
       from orders.orders
      where created_at > now() - make_interval(secs => :scan)
        and updated_at > now() - make_interval(secs => :window)
        and status <> 'PENDING'
      group by 1
      order by 1`,
    { bucket: bucketSeconds, window: windowSeconds, scan: windowSeconds + 60 },
  );
  return rows.map((row) => ({
    at: Number(row.bucket) * 1000,
    completed: Number(row.completed),
    compensated: Number(row.compensated),
    meanSeconds: row.mean_s,
    p95Seconds: row.p95_s,
  }));
}
