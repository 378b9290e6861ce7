import { binaryArray } from '../../lib/db/pg-binary-array.ts';
import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';

/**
 * Locks and reads a participant's rows of these orders (one row per order, by lower-case order id),
 * in order-id order so that concurrent batches cannot deadlock.
 */
export async function lockRowsOfOrders<Row>(
  unit: UnitOfWork,
  table: string,
  columns: readonly string[],
  orderIds: readonly string[],
): Promise<Row[]> {
  const ids = [...new Set(orderIds)].sort();
  if (ids.length === 0) return [];
  return unit.read<Row>(
    queryBuilder(table)
      .select(...columns)
      // = any(array): one statement text for any number of orders (prepared once per connection).
      .whereRaw('order_id = any(?::uuid[])', [binaryArray('uuid', ids)])
      .orderBy('order_id')
      .forUpdate(),
  );
}
