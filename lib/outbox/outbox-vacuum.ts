import pg from 'pg';
import { type SessionTimeouts, sessionOptions, withoutStatementTimeout } from '../db/session-timeouts.ts';
import type { Logger } from '../logger.ts';

/** The relay's default: vacuum after this many published rows. */
export const DEFAULT_OUTBOX_VACUUM_EVERY_ROWS = 5_000;

export interface OutboxVacuumOptions {
  databaseUrl: string;
  /** Schema-qualified outbox table (`orders.outbox`). */
  table: string;
  /** Vacuum once this many rows were deleted since the last vacuum. */
  everyRows: number;
  /** The service's session timeouts: a VACUUM keeps the lock timeout and runs without a statement timeout. */
  timeouts?: SessionTimeouts;
  logger: Logger;
}

export interface OutboxVacuum {
  /** The relay deleted `count` published rows. */
  deleted(count: number): void;
  /** Completed vacuums so far. */
  readonly runs: number;
  stop(): Promise<void>;
}

/**
 * Keeps the outbox small while the relay drains it. Every published row is deleted, and the relay
 * reads the oldest rows by index (`order by seq limit n`): until a VACUUM removes them, the dead
 * rows stay in the index in front of the live ones and every read walks over them. Autovacuum
 * looks at a database at most once a minute (and is off on some servers): at 8,000 outbox rows a
 * second a read had to step over hundreds of thousands of dead entries (measured: 55 ms and 755
 * buffers for a read that returned 2 rows). So the relay vacuums its own table every `everyRows`
 * deleted rows, on a connection of its own and in the background: publishing never waits for it.
 * `skip_locked` lets another instance's vacuum (or autovacuum) go first instead of queueing.
 * `truncate false`: the pages it empties stay for the next rows. Truncating them needs an exclusive
 * lock the writers of the outbox keep conflicting with — a bench run at 400 sagas/s showed each
 * vacuum of `orders.outbox` asleep in `VacuumTruncate` for most of its 98 ms, then the writers
 * extending the file again page by page (`DataFileExtend`, `Lock:extend` waits).
 */
export function createOutboxVacuum(options: OutboxVacuumOptions): OutboxVacuum {
  const { table, everyRows } = options;
  const log = options.logger.child({ component: 'outbox-vacuum', table });
  let deletedSince = 0;
  let running: Promise<void> | null = null;
  let stopped = false;
  let runs = 0;
  let warnedPermission = false;

  // One connection, opened when needed and closed after 10 s without a vacuum.
  const pool = createVacuumPool(options.databaseUrl, options.timeouts);
  pool.on('error', (error) => log.warn({ err: error }, 'idle outbox vacuum connection failed'));
  pool.on('connect', (client) => {
    client.on('notice', (notice) => {
      // VACUUM reports a table it may not vacuum ("permission denied") as a WARNING and skips it.
      if (!warnedPermission && notice.severity === 'WARNING') {
        warnedPermission = true;
        log.warn({ notice: notice.message }, 'outbox vacuum skipped by the server');
      }
    });
  });

  const vacuum = (): void => {
    if (running) return;
    deletedSince = 0;
    running = (async () => {
      try {
        await pool.query(`vacuum (skip_locked, truncate false) ${table}`);
        runs += 1;
      } catch (error) {
        // The rows are only dead weight: the next threshold tries again.
        log.warn({ err: error }, 'outbox vacuum failed; reads of the outbox get slower until the next one');
      } finally {
        running = null;
      }
    })();
  };

  return {
    deleted(count) {
      if (stopped) return;
      deletedSince += count;
      if (deletedSince >= everyRows) vacuum();
    },
    get runs() {
      return runs;
    },
    async stop() {
      stopped = true;
      await running;
      await pool.end().catch(() => undefined);
    },
  };
}

/** The vacuum's connection (one, closed after 10 s idle): no statement timeout, the lock timeout kept. */
export const createVacuumPool = (databaseUrl: string, timeouts?: SessionTimeouts): pg.Pool =>
  new pg.Pool({
    connectionString: databaseUrl,
    max: 1,
    idleTimeoutMillis: 10_000,
    options: sessionOptions(withoutStatementTimeout(timeouts)),
  });
