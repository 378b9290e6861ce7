/**
 * Postgres-side figures of a run: which server processes serve which database (so their CPU can be
 * attributed), and the database's transaction and tuple counters (pg_stat_database,
 * pg_stat_user_tables).
 */
import pg from 'pg';
import { readServerSettings, type ServerSettings } from './pg-settings.ts';
import { childPidsOf, postmasterPid } from './process-stats.ts';
import type { Queryable } from './queryable.ts';
import { readWalCounters, type WalCounters } from './wal-stats.ts';

export type { Queryable };

export interface DbCounters {
  xactCommit: number;
  xactRollback: number;
  tupInserted: number;
  tupUpdated: number;
  tupDeleted: number;
}

export class PostgresWatcher {
  readonly #client: pg.Client;
  readonly #database: string;
  #postmaster: number | null = null;
  /** pid → group name, refreshed before each CPU snapshot. */
  #groups = new Map<number, string>();

  constructor(databaseUrl: string) {
    this.#client = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-stats' });
    this.#client.on('error', () => undefined); // a dropped connection only loses statistics
    this.#database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  }

  async connect(): Promise<void> {
    await this.#client.connect();
    try {
      const { rows } = await this.#client.query<{ data_directory: string }>('show data_directory');
      this.#postmaster = rows[0] ? postmasterPid(rows[0].data_directory) : null;
    } catch {
      this.#postmaster = null; // not a superuser, or a remote server: no Postgres CPU figures
    }
    await this.refresh();
  }

  /** Re-reads which backend serves which database. */
  async refresh(): Promise<void> {
    if (this.#postmaster === null) return;
    const { rows } = await this.#client.query<{ pid: number; datname: string | null; backend_type: string }>(
      'select pid, datname, backend_type from pg_stat_activity',
    );
    const groups = new Map<number, string>();
    groups.set(this.#postmaster, 'postgres: background');
    const known = new Map(rows.map((r) => [r.pid, r]));
    for (const pid of childPidsOf(this.#postmaster)) {
      const row = known.get(pid);
      if (row?.backend_type !== 'client backend') groups.set(pid, 'postgres: background');
      else if (row.datname === this.#database) groups.set(pid, 'postgres: bench db');
      else groups.set(pid, 'postgres: other dbs');
    }
    this.#groups = groups;
  }

  /** Postgres processes by group, for the CPU meter. */
  groups(): Map<string, number[]> {
    const out = new Map<string, number[]>([
      ['postgres: bench db', []],
      ['postgres: background', []],
      ['postgres: other dbs', []],
    ]);
    for (const [pid, group] of this.#groups) out.get(group)?.push(pid);
    return out;
  }

  async counters(): Promise<DbCounters | null> {
    const { rows } = await this.#client.query<Record<string, string>>(
      `select xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted
         from pg_stat_database where datname = current_database()`,
    );
    const row = rows[0];
    if (!row) return null;
    return {
      xactCommit: Number(row.xact_commit),
      xactRollback: Number(row.xact_rollback),
      tupInserted: Number(row.tup_inserted),
      tupUpdated: Number(row.tup_updated),
      tupDeleted: Number(row.tup_deleted),
    };
  }

  /** The server settings the figures depend on (support/pg-settings.ts). */
  settings(): Promise<ServerSettings> {
    return readServerSettings(this.#client);
  }

  /** The server's write-ahead log and checkpoint counters (support/wal-stats.ts). */
  walCounters(): Promise<WalCounters | null> {
    return readWalCounters(this.#client);
  }

  /** Rows inserted/updated/deleted per table since the database was created. */
  async tableCounters(): Promise<Record<string, { inserted: number; updated: number; deleted: number }>> {
    const { rows } = await this.#client.query<{ name: string; ins: string; upd: string; del: string }>(
      `select schemaname || '.' || relname as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del
         from pg_stat_user_tables where schemaname <> 'public' order by 1`,
    );
    return Object.fromEntries(
      rows.map((r) => [r.name, { inserted: Number(r.ins), updated: Number(r.upd), deleted: Number(r.del) }]),
    );
  }

  async close(): Promise<void> {
    await this.#client.end().catch(() => undefined);
  }
}

export const counterDelta = (a: DbCounters | null, b: DbCounters | null): DbCounters | null =>
  a && b
    ? {
        xactCommit: b.xactCommit - a.xactCommit,
        xactRollback: b.xactRollback - a.xactRollback,
        tupInserted: b.tupInserted - a.tupInserted,
        tupUpdated: b.tupUpdated - a.tupUpdated,
        tupDeleted: b.tupDeleted - a.tupDeleted,
      }
    : null;
