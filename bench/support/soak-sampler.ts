/**
 * One soak sample: the size and row count of every table that must stay bounded (or grows by
 * design), and each service's RSS and V8 heap in use.
 */
import type pg from 'pg';
import { parsePrometheusText, sumOf } from '../../lib/metrics/prometheus-text.ts';
import { rssKbOf } from './proc-stats.ts';

const schemas = ['orders', 'inventory', 'payment', 'shipping'] as const;

/** Tables pruning or the relay keep bounded: their size is judged. */
export const boundedTables = [
  ...schemas.flatMap((s) => [`${s}.inbox`, `${s}.outbox`]),
  'orders.saga_history',
] as const;

/** Business records, one per order: they grow by design, reported but not judged. */
export const growingTables = ['orders.orders', 'orders.sagas'] as const;

export interface SoakSample {
  /** Seconds since the load started. */
  atS: number;
  /** pg_total_relation_size (table, indexes, TOAST) in bytes, and count(*). */
  tables: Record<string, { bytes: number; rows: number }>;
  /** Per service: VmRSS in kB and nodejs_heap_size_used_bytes. */
  processes: Record<string, { rssKb: number | null; heapUsedBytes: number | null }>;
}

/** Whether the server runs autovacuum (some CI servers turn it off for steadier benchmarks). */
export async function autovacuumOn(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ on: boolean }>("select current_setting('autovacuum') = 'on' as on");
  return rows[0]?.on ?? false;
}

/**
 * What autovacuum would do for the bounded tables, on a server where it is off: without it no
 * deleted row's space is ever reused and every pruned table grows whatever the pruning. Run as the
 * soak's database owner; `skip_locked`, `truncate false` as the outbox relay's own vacuum.
 */
export async function vacuumBoundedTables(client: pg.Client): Promise<void> {
  for (const table of boundedTables) await client.query(`vacuum (skip_locked, truncate false) ${table}`);
}

export async function sampleTables(client: pg.Client): Promise<SoakSample['tables']> {
  const tables: SoakSample['tables'] = {};
  for (const table of [...boundedTables, ...growingTables]) {
    const { rows } = await client.query<{ bytes: string; rows: string }>(
      `select pg_total_relation_size($1::regclass) as bytes, (select count(*) from ${table}) as rows`,
      [table],
    );
    tables[table] = { bytes: Number(rows[0]?.bytes ?? 0), rows: Number(rows[0]?.rows ?? 0) };
  }
  return tables;
}

async function heapUsedBytes(port: number): Promise<number | null> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) return null;
    return sumOf(parsePrometheusText(await response.text()), 'nodejs_heap_size_used_bytes');
  } catch {
    return null; // a sample without the heap figure; the RSS still says whether the process runs
  }
}

export async function sampleProcesses(
  services: ReadonlyArray<{ name: string; pid: number; port: number }>,
): Promise<SoakSample['processes']> {
  const processes: SoakSample['processes'] = {};
  for (const { name, pid, port } of services)
    processes[name] = { rssKb: rssKbOf(pid), heapUsedBytes: await heapUsedBytes(port) };
  return processes;
}
