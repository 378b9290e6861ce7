import pg from 'pg';
import type { Logger } from '../logger.ts';
import { DatabaseUnavailableError, isConnectionFailure, isStatementError } from './database-unavailable.ts';
import './pg-types.ts';
import { type CompilableQuery, type NativeQuery, toNative } from './query-builder.ts';
import { type SessionTimeouts, sessionOptions, sessionTimeouts } from './session-timeouts.ts';
import { StatementNames } from './statement-names.ts';
import { WriteBatch } from './write-batch.ts';

/**
 * One database transaction as the services use it: reads that may lock rows, then every write in
 * one statement. Build reads with `queryBuilder` (lib/db/query-builder.ts) and run them here.
 */
export interface UnitOfWork {
  /**
   * Runs a read (e.g. `select … for update`) inside the transaction and returns its rows: a knex
   * query (built with queryBuilder) or SQL with `$n` placeholders and its values.
   */
  read<Row = Record<string, unknown>>(query: CompilableQuery | NativeQuery): Promise<Row[]>;
  /** Writes sent as one statement when the work is done, pipelined with COMMIT. */
  readonly writes: WriteBatch;
  /** Runs `callback` once the transaction has committed (never if it rolls back). */
  afterCommit(callback: () => void): void;
}

export interface UnitOfWorkRunner {
  /**
   * Runs `work` in one transaction and commits its writes. An error anywhere (a read, the work, a
   * write, a row-count guard) rolls everything back and is rethrown; an OptimisticWriteFailedError runs
   * `work` again in a new transaction (at most `optimisticWriteAttempts` times in all).
   */
  run<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Session options of connections whose statements are prepared once and all find their rows by key
 * (the units of work, the outbox relays). The server may cache a generic plan for a prepared
 * statement; one made while a table was small (a new database; no ANALYZE since, as with autovacuum
 * off) would keep sequential scans as the table grows (measured: the saga lock read went from 0.1 to
 * 6 ms at 30,000 orders). So these connections rule sequential scans out wherever an index serves.
 */
export const keyedStatementsOptions = '-c enable_seqscan=off';

/**
 * The startup options of those connections: the session timeouts, the user's `PGOPTIONS` (libpq's
 * variable, which node-postgres reads only when a pool is given no options of its own — without
 * this, a `PGOPTIONS=-c synchronous_commit=off` would silently not reach the hot path), then ours
 * (session-timeouts.ts `sessionOptions`).
 */
export function keyedSessionOptions(
  timeouts: SessionTimeouts = sessionTimeouts(),
  env: NodeJS.ProcessEnv = process.env,
): string {
  return sessionOptions(timeouts, keyedStatementsOptions, env);
}

/**
 * An optimistic write failed: the work decided without reading some rows — on a cached copy of
 * them, or on the assumption that they do not exist yet — and a guard of its write statement found
 * them different. Whoever made the assumption has dropped it (the cache entry, the "new" mark): the
 * unit of work runs again, and the work reads the rows this time. Raise it from a row-count guard.
 */
export class OptimisticWriteFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptimisticWriteFailedError';
  }
}

/** How many times a unit of work runs in all while its optimistic writes fail. */
export const optimisticWriteAttempts = 3;

/** Raised when COMMIT came back as ROLLBACK although no statement of ours reported an error. */
export class TransactionRolledBackError extends Error {
  constructor() {
    super('the server rolled the transaction back at COMMIT (an earlier statement of it failed)');
    this.name = 'TransactionRolledBackError';
  }
}

type State = 'idle' | 'open' | 'done';

/**
 * A unit of work on a pipelined connection (node-postgres `pipeline: true`): BEGIN goes out with
 * the first read and COMMIT with the write statement, without waiting in between, so a transaction
 * that reads, decides and writes costs two round trips, and one that only writes costs one (its
 * single statement is atomic on its own, no BEGIN needed).
 */
class PipelinedUnitOfWork implements UnitOfWork {
  readonly writes = new WriteBatch();
  readonly committed: Array<() => void> = [];
  readonly #client: pg.PoolClient;
  readonly #names: StatementNames;
  #state: State = 'idle';
  #begin: Promise<unknown> | null = null;
  /** Set when a query failed for another reason than a statement error (connection lost, timeout). */
  #broken = false;

  constructor(client: pg.PoolClient, names: StatementNames) {
    this.#client = client;
    this.#names = names;
  }

  get reusable(): boolean {
    return !this.#broken;
  }

  /** A statement with values runs as a named (prepared) statement; BEGIN and COMMIT as simple queries. */
  #query(query: string | NativeQuery): Promise<pg.QueryResult> {
    const config = typeof query === 'string' ? query : { ...query, name: this.#names.nameOf(query.text) };
    return this.#client.query(config).catch((error: unknown) => {
      if (isStatementError(error)) throw error;
      this.#broken = true;
      throw isConnectionFailure(error) ? new DatabaseUnavailableError('query', error) : error;
    });
  }

  afterCommit(callback: () => void): void {
    this.committed.push(callback);
  }

  async read<Row>(query: CompilableQuery | NativeQuery): Promise<Row[]> {
    if (this.#state === 'done') throw new Error('read after the unit of work ended');
    const { text, values } = 'text' in query ? query : toNative(query);
    if (this.#begin === null) {
      this.#state = 'open';
      this.#begin = this.#query('begin');
    }
    const [, result] = await Promise.all([this.#begin, this.#query({ text, values })]);
    return result.rows as Row[];
  }

  async commit(): Promise<void> {
    const statement = this.writes.toStatement();
    const wasOpen = this.#state === 'open';
    this.#state = 'done';
    if (!wasOpen) {
      if (statement) {
        const result = await this.#query(statement).catch((error: unknown) => {
          throw this.writes.explain(error);
        });
        this.writes.deliver(result.rows[0]);
      }
      return;
    }
    const written = statement ? this.#query(statement) : null;
    const committed = this.#query('commit');
    const [write, commit] = await Promise.allSettled([written, committed]);
    // A failed write aborts the transaction; the server then answers the COMMIT with ROLLBACK.
    if (write.status === 'rejected') throw this.writes.explain(write.reason);
    if (commit.status === 'rejected') throw commit.reason;
    if (commit.value.command !== 'COMMIT') throw new TransactionRolledBackError();
    if (write.value) this.writes.deliver(write.value.rows[0]);
  }

  /** Ends a transaction still open without keeping anything (a failed ROLLBACK marks the connection broken). */
  async rollback(): Promise<void> {
    const wasOpen = this.#state === 'open';
    this.#state = 'done';
    if (wasOpen && !this.#broken) await this.#query('rollback').catch(() => undefined);
  }
}

export function createUnitOfWorkRunner({
  databaseUrl,
  maxConnections = 4,
  acquireTimeoutMs = 10_000,
  maxPreparedStatements = 200,
  timeouts = sessionTimeouts(),
  logger,
}: {
  databaseUrl: string;
  maxConnections?: number;
  /** How long a unit waits for a connection (pool exhausted, database unreachable) before failing. */
  acquireTimeoutMs?: number;
  /** Distinct statement texts prepared on each connection; texts beyond run unnamed (StatementNames). */
  maxPreparedStatements?: number;
  /** Each connection's statement and lock timeouts (default: DB_STATEMENT_TIMEOUT_MS, DB_LOCK_TIMEOUT_MS). */
  timeouts?: SessionTimeouts;
  logger: Logger;
}): UnitOfWorkRunner {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: maxConnections,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: acquireTimeoutMs,
    pipeline: true,
    options: keyedSessionOptions(timeouts),
  });
  const names = new StatementNames({
    limit: maxPreparedStatements,
    onFull: (limit) =>
      logger.warn(
        { limit },
        'unit of work: statement name limit reached; further statement texts are parsed and planned at every call (a statement whose text varies per call?)',
      ),
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'idle unit-of-work connection failed'));
  // The pool listens for errors of idle connections only: one that fails while a unit holds it (the
  // server terminating it between two statements) would be an uncaught 'error' and end the process.
  // Its queries fail on their own (DatabaseUnavailableError, or the server's SQLSTATE).
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.debug({ err: error }, 'unit-of-work connection failed in use'));
  });

  const runOnce = async <T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw new DatabaseUnavailableError('connect', error);
    }
    const unit = new PipelinedUnitOfWork(client, names);
    let result: T;
    try {
      result = await work(unit);
      await unit.commit();
    } catch (error) {
      await unit.rollback();
      // A connection that failed other than by a statement error is in an unknown state: the pool closes it.
      client.release(unit.reusable ? undefined : true);
      throw error;
    }
    client.release();
    for (const callback of unit.committed) {
      try {
        callback();
      } catch (error) {
        // The transaction is committed; a failing hook must not turn that into an error.
        logger.error({ err: error }, 'after-commit callback failed');
      }
    }
    return result;
  };

  return {
    async run<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        try {
          return await runOnce(work);
        } catch (error) {
          if (!(error instanceof OptimisticWriteFailedError) || attempt >= optimisticWriteAttempts)
            throw error;
          logger.debug({ err: error, attempt }, 'optimistic write failed; the unit of work runs again');
        }
      }
    },
    close: () => pool.end(),
  };
}
