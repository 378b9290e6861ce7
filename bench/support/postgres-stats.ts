/**
 * Postgres-side figures of a run, read as the server's owner: which server processes serve which
 * database (so their CPU is attributed), the database's commits and rows written per table, and the
 * server's write-ahead log and checkpoints.
 *
 * The WAL counters are server-wide: during a point nearly all of the server's writes are the bench
 * database's. Per saga they show what its rows cost beyond CPU: WAL bytes, and full-page images,
 * which every page's first change after a checkpoint writes whole.
 */
import { join } from 'node:path';
import pg from 'pg';
import { childPidsOf, pidFromFile } from './proc-stats.ts';

export interface WalCounters {
  records: number;
  fullPageImages: number;
  bytes: number;
  /** Checkpoints started, timed and requested (a full max_wal_size requests one). */
  checkpoints: number;
}

/** The server's WAL per saga, and the checkpoints that started in the window (walPerSaga). */
export type WalPerSaga = NonNullable<ReturnType<typeof walPerSaga>>;

export type RowsWritten = Record<string, { inserted: number; updated: number; deleted: number }>;

const groupNames = ['postgres: bench db', 'postgres: background', 'postgres: other dbs'] as const;

export class PostgresWatcher {
  readonly #client: pg.Client;
  readonly #database: string;
  #postmaster: number | null = null;
  /** pid → group, refreshed before each CPU snapshot (backends come and go). */
  #groups = new Map<number, (typeof groupNames)[number]>();
  #checkpointsQuery = '';

  constructor(databaseUrl: string) {
    this.#client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-stats' });
    this.#database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  }

  async #row<R extends Record<string, unknown>>(sql: string): Promise<R | undefined> {
    return (await this.#client.query<R>(sql)).rows[0];
  }

  async connect(): Promise<void> {
    await this.#client.connect();
    const row = await this.#row<{ dir: string; checkpointer: boolean }>(
      `select current_setting('data_directory') as dir,
              to_regclass('pg_catalog.pg_stat_checkpointer') is not null as checkpointer`,
    );
    // null for a server on another machine: no Postgres CPU figures then
    this.#postmaster = row ? pidFromFile(join(row.dir, 'postmaster.pid')) : null;
    this.#checkpointsQuery = row?.checkpointer // Postgres 17 moved the counters
      ? 'select num_timed + num_requested as n from pg_stat_checkpointer'
      : 'select checkpoints_timed + checkpoints_req as n from pg_stat_bgwriter';
    await this.refresh();
  }

  /** Re-reads which backend serves which database. */
  async refresh(): Promise<void> {
    if (this.#postmaster === null) return;
    const { rows } = await this.#client.query<{ pid: number; datname: string | null; backend_type: string }>(
      'select pid, datname, backend_type from pg_stat_activity',
    );
    const known = new Map(rows.map((r) => [r.pid, r]));
    this.#groups = new Map([[this.#postmaster, 'postgres: background']]);
    for (const pid of childPidsOf(this.#postmaster)) {
      const row = known.get(pid);
      const client = row?.backend_type === 'client backend';
      const database = row?.datname === this.#database ? 'postgres: bench db' : 'postgres: other dbs';
      this.#groups.set(pid, client ? database : 'postgres: background');
    }
  }

  /** Postgres processes by group, for the CPU meter. */
  groups(): Map<string, number[]> {
    const out = new Map<string, number[]>(groupNames.map((name) => [name, []]));
    for (const [pid, group] of this.#groups) out.get(group)?.push(pid);
    return out;
  }

  /** Transactions the database has committed since its statistics began. */
  async commits(): Promise<number> {
    const sql = 'select xact_commit as n from pg_stat_database where datname = current_database()';
    return Number((await this.#row<{ n: string }>(sql))?.n ?? 0);
  }

  async wal(): Promise<WalCounters> {
    const wal = await this.#row<Record<keyof WalCounters, string>>(
      `select wal_records as records, wal_fpi as "fullPageImages", wal_bytes as bytes, c.n as checkpoints
         from pg_stat_wal, (${this.#checkpointsQuery}) c`,
    );
    return {
      records: Number(wal?.records),
      fullPageImages: Number(wal?.fullPageImages),
      bytes: Number(wal?.bytes),
      checkpoints: Number(wal?.checkpoints),
    };
  }

  /** Rows inserted/updated/deleted per table since the database was created, per order placed. */
  async rowsWritten(orders: number): Promise<RowsWritten> {
    const { rows } = await this.#client.query<{ name: string; ins: string; upd: string; del: string }>(
      `select schemaname || '.' || relname as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del
         from pg_stat_user_tables where schemaname <> 'public' order by 1`,
    );
    const per = (n: string) => Math.round((100 * Number(n)) / Math.max(1, orders)) / 100;
    return Object.fromEntries(
      rows.map((r) => [r.name, { inserted: per(r.ins), updated: per(r.upd), deleted: per(r.del) }]),
    );
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}

export function walPerSaga(before: WalCounters, after: WalCounters, sagas: number) {
  if (sagas <= 0) return null;
  const per = (growth: number, digits: number) => Math.round((growth / sagas) * 10 ** digits) / 10 ** digits;
  return {
    kbPerSaga: per((after.bytes - before.bytes) / 1024, 1),
    fullPageImagesPerSaga: per(after.fullPageImages - before.fullPageImages, 2),
    recordsPerSaga: per(after.records - before.records, 1),
    checkpoints: after.checkpoints - before.checkpoints,
  };
}
