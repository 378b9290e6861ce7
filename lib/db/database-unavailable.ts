/**
 * The database could not be used: no connection could be had (refused, timed out, pool closed) or
 * a connection failed under a query (terminated, reset) without the server answering the
 * statement. Raised by the unit of work (lib/db/unit-of-work.ts) with the driver's error as
 * `cause`, so that a consumer waits the outage out by the error's type, never by its message
 * (a message can quote a payload: knex and the server put values into theirs).
 */
export class DatabaseUnavailableError extends Error {
  override readonly name = 'DatabaseUnavailableError';
  constructor(what: 'connect' | 'query', cause: unknown) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    super(`database unavailable (${what} failed): ${detail}`, { cause });
  }
}

/**
 * A query error that says nothing about the connection: the server's answer to a statement (it
 * has a SQLSTATE) or a value the driver could not serialise (a TypeError or RangeError thrown
 * before anything was sent). Any other failure of a query is the connection's.
 */
export const isStatementError = (error: unknown): boolean =>
  typeof (error as { code?: unknown } | null)?.code === 'string' &&
  /^[0-9A-Z]{5}$/.test((error as { code: string }).code);

export const isConnectionFailure = (error: unknown): boolean =>
  !isStatementError(error) && !(error instanceof TypeError) && !(error instanceof RangeError);
