/**
 * Write-ahead log and checkpoint counters of the Postgres server (pg_stat_wal, and pg_stat_bgwriter
 * or, from Postgres 17, pg_stat_checkpointer). They are server-wide: during a bench point nearly all
 * of the server's writes are the bench database's. Per saga, they show what the saga's rows cost the
 * server beyond CPU: WAL bytes, and full-page images, which every page's first change after a
 * checkpoint writes whole (the more often checkpoints come, the more of them).
 */

import type { Queryable } from './queryable.ts';

export interface WalCounters {
  records: number;
  fullPageImages: number;
  bytes: number;
  /** Checkpoints started, timed and requested (a full max_wal_size requests one). */
  checkpoints: number;
}

export interface WalPerSaga {
  kbPerSaga: number;
  fullPageImagesPerSaga: number;
  recordsPerSaga: number;
  /** Checkpoints that started during the window. */
  checkpoints: number;
}

const walQuery =
  'select wal_records::text as records, wal_fpi::text as fpi, wal_bytes::text as bytes from pg_stat_wal';
const checkpointQueries = [
  'select (num_timed + num_requested)::text as n from pg_stat_checkpointer', // Postgres 17 and later
  'select (checkpoints_timed + checkpoints_req)::text as n from pg_stat_bgwriter', // up to 16
];

/** A view or column this server version does not have (undefined_table, undefined_column). */
const isMissingOnThisVersion = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '42P01' || code === '42703';
};

/**
 * The server's counters, or null where pg_stat_wal does not exist (Postgres before 14). Any other
 * failure (a lost connection, a refused query) is thrown, for the caller to handle.
 */
export async function readWalCounters(client: Queryable): Promise<WalCounters | null> {
  let wal: { records: string; fpi: string; bytes: string } | undefined;
  try {
    wal = (await client.query<{ records: string; fpi: string; bytes: string }>(walQuery)).rows[0];
  } catch (error) {
    if (isMissingOnThisVersion(error)) return null;
    throw error;
  }
  if (!wal) return null;
  let checkpoints = Number.NaN;
  for (const text of checkpointQueries) {
    try {
      checkpoints = Number((await client.query<{ n: string }>(text)).rows[0]?.n);
      break;
    } catch (error) {
      if (!isMissingOnThisVersion(error)) throw error; // otherwise the other version's view: try it
    }
  }
  return {
    records: Number(wal.records),
    fullPageImages: Number(wal.fpi),
    bytes: Number(wal.bytes),
    checkpoints,
  };
}

export function walPerSaga(
  before: WalCounters | null,
  after: WalCounters | null,
  sagas: number,
): WalPerSaga | null {
  if (!before || !after || sagas <= 0) return null;
  const per = (a: number, b: number, digits: number) =>
    Math.round(((b - a) / sagas) * 10 ** digits) / 10 ** digits;
  return {
    kbPerSaga: Math.round(((after.bytes - before.bytes) / 1024 / sagas) * 10) / 10,
    fullPageImagesPerSaga: per(before.fullPageImages, after.fullPageImages, 2),
    recordsPerSaga: per(before.records, after.records, 1),
    checkpoints: after.checkpoints - before.checkpoints,
  };
}
