/** The publisher loop's next step (RelayLoop runs it). */
export type RelayWork =
  /** Read a batch from the table, publish and delete it (takes the relay lock if free). */
  | 'publishFromTable'
  /** Publish the next batch of rows this process committed, from memory. */
  | 'publishFromMemory'
  /** Delete the rows published from memory. */
  | 'deletePublished'
  /** Nothing to do until something wakes the relay. */
  | 'idle';

/** What the choice of the next step reads (RelayState). */
export interface PendingRelayWork {
  readonly tableDirty: boolean;
  readonly deleteDue: boolean;
  readonly rows: { readonly queued: number; readonly awaitingDelete: number };
}

/**
 * The table first whenever it may hold rows this relay has not read (so a row another instance
 * committed earlier goes out before rows from memory), then the rows from memory, then the deletes
 * of published rows once due: when the delete timer fired, a full batch waits, or deletes are not
 * batched (`deleteEveryMs` 0).
 */
export function nextRelayWork(
  pending: PendingRelayWork,
  batchSize: number,
  deleteEveryMs: number,
): RelayWork {
  if (pending.tableDirty) return 'publishFromTable';
  if (pending.rows.queued > 0) return 'publishFromMemory';
  const awaitingDelete = pending.rows.awaitingDelete;
  if (awaitingDelete > 0 && (pending.deleteDue || awaitingDelete >= batchSize || deleteEveryMs === 0)) {
    return 'deletePublished';
  }
  return 'idle';
}

/** Most the relay waits between attempts after failures in a row. */
export const MAX_RETRY_BACKOFF_MS = 5_000;

/** The wait before the next attempt after `failures` failures in a row: 200 ms, doubling, at most 5 s. */
export const retryBackoffMs = (failures: number): number =>
  Math.min(MAX_RETRY_BACKOFF_MS, 100 * 2 ** Math.min(failures, 6));
