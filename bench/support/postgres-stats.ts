/**
 * Postgres-side figures of a run, read as the server's owner: which server processes serve which
 * database (so their CPU is attributed), the database's commits and rows written per table, the
 * server's write-ahead log and checkpoints, and the server settings the figures depend on.
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

export interface WalPerSaga {
  kbPerSaga: number;
  fullPageImagesPerSaga: number;
  recordsPerSaga: number;
  /** Checkpoints that started during the window. */
  checkpoints: number;
}

export const recordedSettings = [
  'server_version',
  'autovacuum',
  'shared_buffers',
  'max_wal_size',
  'synchronous_commit',
  'fsync',
  'full_page_writes',
  'wal_compression',
] as const;
export type ServerSettings = Partial<Record<(typeof recordedSettings)[number], string>>;

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

  async connect(): Promise<void> {
    await this.#client.connect();
    const [row] = (
      await this.#client.query<{ dir: string; checkpointer: boolean }>(
        `select current_setting('data_directory') as dir,
                to_regclass('pg_catalog.pg_stat_checkpointer') is not null as checkpointer`,
      )
    ).rows;
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
      this.#groups.set(
        pid,
        row?.backend_type !== 'client backend'
          ? 'postgres: background'
          : row.datname === this.#database
            ? 'postgres: bench db'
            : 'postgres: other dbs',
      );
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
    const { rows } = await this.#client.query<{ n: string }>(
      'select xact_commit as n from pg_stat_database where datname = current_database()',
    );
    return Number(rows[0]?.n ?? 0);
  }

  async wal(): Promise<WalCounters> {
    const [wal] = (
      await this.#client.query<{ records: string; fpi: string; bytes: string }>(
        'select wal_records as records, wal_fpi as fpi, wal_bytes as bytes from pg_stat_wal',
      )
    ).rows;
    const [checkpoints] = (await this.#client.query<{ n: string }>(this.#checkpointsQuery)).rows;
    return {
      records: Number(wal?.records),
      fullPageImages: Number(wal?.fpi),
      bytes: Number(wal?.bytes),
      checkpoints: Number(checkpoints?.n),
    };
  }

  /** Each recorded setting as the server shows it (with its unit: "128MB"). */
  async settings(): Promise<ServerSettings> {
    const { rows } = await this.#client.query<{ name: (typeof recordedSettings)[number]; value: string }>(
      'select name, current_setting(name) as value from unnest($1::text[]) as name',
      [recordedSettings],
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  }

  /** Rows inserted/updated/deleted per table since the database was created. */
  async rowsWritten(): Promise<RowsWritten> {
    const { rows } = await this.#client.query<{ name: string; ins: string; upd: string; del: string }>(
      `select schemaname || '.' || relname as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del
         from pg_stat_user_tables where schemaname <> 'public' order by 1`,
    );
    return Object.fromEntries(
      rows.map((r) => [r.name, { inserted: Number(r.ins), updated: Number(r.upd), deleted: Number(r.del) }]),
    );
  }

  async close(): Promise<void> {
    await this.#client.end();
  }
}

export function walPerSaga(before: WalCounters, after: WalCounters, sagas: number): WalPerSaga | null {
  if (sagas <= 0) return null;
  const per = (growth: number, digits: number) => Math.round((growth / sagas) * 10 ** digits) / 10 ** digits;
  return {
    kbPerSaga: per((after.bytes - before.bytes) / 1024, 1),
    fullPageImagesPerSaga: per(after.fullPageImages - before.fullPageImages, 2),
    recordsPerSaga: per(after.records - before.records, 1),
    checkpoints: after.checkpoints - before.checkpoints,
  };
}

/**
 * The footer's line; it says when autovacuum is off (as on the development machine): during a run
 * only the outboxes are vacuumed then (by their relays), every other table keeps its dead rows.
 */
export function formatServerSettings(settings: ServerSettings): string {
  const shown = recordedSettings.filter((name) => settings[name] !== undefined);
  const note =
    settings.autovacuum === 'off' ? '; autovacuum off: only the outboxes are vacuumed (by their relays)' : '';
  return `Postgres server: ${shown.map((name) => `${name} ${settings[name]}`).join(', ')}${note}`;
}
