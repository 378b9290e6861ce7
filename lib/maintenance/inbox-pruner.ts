import type { Knex } from 'knex';

/**
 * The smallest version 7 UUID of a millisecond: every time-ordered id made before `ms` sorts below
 * it (lib/ids.ts timeOrderedIds: the first 48 bits are Unix milliseconds).
 */
export function uuidV7LowerBound(ms: number): string {
  const hex = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-0000-0000-000000000000`;
}

/**
 * Deletes at most `limit` inbox rows processed before `cutoff`; returns how many.
 *
 * Access path: the primary key (message_id), range-scanned from its low end. Every id the services
 * make is a version 7 UUID, whose order is creation time, and a message is created before it is
 * processed, so rows processed before `cutoff` have ids below uuidV7LowerBound(cutoff): the scan
 * touches old leaf pages only, never the hot right-hand edge, and needs no index of its own.
 * `processed_at < cutoff` is what decides: a message made long ago but processed recently (a lagging
 * consumer, a DLT replay) stays. Ids that are not time-ordered (not made by this project) sort
 * anywhere and are pruned only if they happen to sort below the bound.
 */
export async function pruneInboxBatch(
  db: Knex,
  schema: string,
  cutoff: Date,
  limit: number,
): Promise<number> {
  const result = await db.raw(
    `delete from ${schema}.inbox where message_id in (
       select message_id from ${schema}.inbox
        where message_id < ?::uuid and processed_at < ?
        order by message_id limit ?)`,
    [uuidV7LowerBound(cutoff.getTime()), cutoff, limit],
  );
  return (result as { rowCount: number }).rowCount;
}
