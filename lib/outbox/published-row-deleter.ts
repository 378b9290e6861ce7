import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface PublishedRowDeleterOptions {
  databaseUrl: string;
  /** Schema-qualified outbox table. */
  table: string;
  logger: Logger;
  /** Wait after the first row before deleting, so one statement removes the rows of many sends (20). */
  lingerMs?: number;
  /** Beyond this many waiting seq numbers the oldest are forgotten; the relay publishes those rows again. */
  maxPending?: number;
}

export interface PublishedRowDeleter {
  add(seqs: readonly number[]): void;
  /** Deletes what is waiting (retrying until it worked or `stop`). */
  flush(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Deletes the outbox rows the after-commit publisher published: one `delete … where seq = any(…)`
 * per linger window on its own connection. A row not deleted (database away, process killed) is
 * published again by the relay after its grace period: at least once, never lost.
 */
export function createPublishedRowDeleter(options: PublishedRowDeleterOptions): PublishedRowDeleter {
  const { table } = options;
  const lingerMs = options.lingerMs ?? 20;
  const maxPending = options.maxPending ?? 100_000;
  const log = options.logger.child({ component: 'outbox-deleter' });
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) => log.warn({ err: error }, 'idle outbox deleter connection failed'));

  let pending: number[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = false;
  let failures = 0;

  const deleteBatch = async (): Promise<void> => {
    const seqs = pending;
    pending = [];
    for (const seq of seqs) {
      if (!Number.isSafeInteger(seq)) throw new TypeError(`outbox seq ${String(seq)} is not an integer`);
    }
    try {
      await pool.query(`delete from ${table} where seq = any('{${seqs.join(',')}}'::bigint[])`);
      failures = 0;
    } catch (error) {
      failures += 1;
      pending = seqs.concat(pending);
      log.warn({ err: error, rows: seqs.length }, 'could not delete published outbox rows; retrying');
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** Math.min(failures, 6))));
    }
  };

  const run = (): void => {
    timer = null;
    if (running || pending.length === 0) return;
    running = deleteBatch().finally(() => {
      running = null;
      if (pending.length > 0 && !stopped) schedule();
    });
  };

  const schedule = (): void => {
    if (timer || running) return;
    timer = setTimeout(run, lingerMs);
  };

  const flush = async (): Promise<void> => {
    while (pending.length > 0 || running) {
      if (timer) clearTimeout(timer);
      run();
      await running;
      if (stopped && failures > 0) return;
    }
  };

  return {
    add(seqs) {
      pending.push(...seqs);
      if (pending.length > maxPending) {
        const forgotten = pending.length - maxPending;
        pending = pending.slice(forgotten);
        log.warn(
          { forgotten },
          'too many published outbox rows wait to be deleted; the relay publishes them again',
        );
      }
      if (!stopped) schedule();
    },
    flush,
    async stop() {
      stopped = true;
      await flush();
      await pool.end().catch(() => undefined);
    },
  };
}
