import type { Knex } from 'knex';
import type { PruneTask } from '../../lib/maintenance/pruner.ts';
import type { OrderStatus } from '../saga/saga-types.ts';

/**
 * The statuses whose history is pruned. FAILED is not: a FAILED saga is parked for an operator, who
 * may retry it (POST /orders/:id/retry), and its history is what they read to decide.
 */
export const prunedStatuses = ['COMPLETED', 'CANCELLED'] as const satisfies readonly OrderStatus[];

interface Position {
  createdAt: Date;
  orderId: string;
}

/**
 * Deletes the saga_history rows of orders that ended (COMPLETED or CANCELLED) more than
 * `retentionMs` ago. The order's row and its saga row (state, snapshot, final status) stay: GET
 * /orders/:id then answers with the status, the saga's final state and failure, and an empty
 * `saga.history` (docs/operations.md).
 *
 * Access paths, no index of their own: orders_status_created_idx (status, created_at, order_id)
 * finds the ended orders in creation order from a cursor, and saga_history's primary key
 * (order_id, id) finds their rows. The cursor (one per status, in memory) walks forward and stops
 * at the first order that ended too recently (its updated_at, the time of its last transition), so
 * nothing is skipped for good; it starts from the beginning when the process starts. An order that
 * was still PENDING when the cursor passed its creation time (a saga longer than the retention) is
 * pruned after the next restart.
 */
export function historyPruneTask(db: Knex, retentionMs: number): PruneTask {
  const cursors = new Map<string, Position | null>(prunedStatuses.map((s) => [s, null]));

  const pruneStatus = async (status: string, cutoff: Date, limit: number): Promise<number> => {
    const after = cursors.get(status) ?? null;
    const candidates = await db('orders.orders')
      .select<{ order_id: string; created_at: Date; updated_at: Date }[]>(
        'order_id',
        'created_at',
        'updated_at',
      )
      .where('status', status)
      .andWhere('created_at', '<', cutoff)
      .modify((q) => {
        if (after) q.andWhereRaw('(created_at, order_id) > (?, ?)', [after.createdAt, after.orderId]);
      })
      .orderBy([
        { column: 'created_at', order: 'asc' },
        { column: 'order_id', order: 'asc' },
      ])
      .limit(limit);
    const due: string[] = [];
    for (const row of candidates) {
      if (row.updated_at >= cutoff) break;
      due.push(row.order_id);
      cursors.set(status, { createdAt: row.created_at, orderId: row.order_id });
    }
    if (due.length > 0)
      await db.raw('delete from orders.saga_history where order_id = any(?::uuid[])', [due]);
    // Fewer than `limit` ends the round: nothing more is due now (the rest ended too recently).
    return due.length;
  };

  return {
    name: 'saga_history',
    async pruneBatch(now, limit) {
      const cutoff = new Date(now.getTime() - retentionMs);
      let orders = 0;
      for (const status of prunedStatuses) orders += await pruneStatus(status, cutoff, limit);
      return orders;
    },
  };
}
