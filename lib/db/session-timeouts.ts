/**
 * Every connection of a service's (its pools, the outbox relay's connections, its LISTEN client)
 * starts with a `statement_timeout` and a `lock_timeout`, sent as startup parameters (no extra
 * round trip): a query stuck behind a lock or running away fails (SQLSTATE 55P03 lock_not_available,
 * 57014 query_canceled) instead of hanging a consumer, and the consumer retries it as transient
 * (lib/messaging/transient-errors.ts). 0 turns a timeout off; maintenance (migrations, VACUUM)
 * turns the statement timeout off with `withoutStatementTimeout`.
 */
import { type Env, EnvReader } from '../config/env.ts';

export interface SessionTimeouts {
  /** DB_STATEMENT_TIMEOUT_MS: the longest a statement may run (0: no limit). */
  statementTimeoutMs: number;
  /** DB_LOCK_TIMEOUT_MS: the longest a statement may wait for a lock (0: no limit). */
  lockTimeoutMs: number;
}

export const defaultSessionTimeouts: SessionTimeouts = { statementTimeoutMs: 30_000, lockTimeoutMs: 10_000 };

const maxTimeoutMs = 86_400_000;

export function readSessionTimeouts(reader: EnvReader): SessionTimeouts {
  return {
    statementTimeoutMs: reader.int('DB_STATEMENT_TIMEOUT_MS', defaultSessionTimeouts.statementTimeoutMs, {
      min: 0,
      max: maxTimeoutMs,
    }),
    lockTimeoutMs: reader.int('DB_LOCK_TIMEOUT_MS', defaultSessionTimeouts.lockTimeoutMs, {
      min: 0,
      max: maxTimeoutMs,
    }),
  };
}

let fromProcessEnv: SessionTimeouts | undefined;

/**
 * The timeouts of this process's environment, parsed on first use and kept: the default of every
 * connection factory in lib/db and lib/outbox. An invalid value throws ConfigError naming it.
 */
export function sessionTimeouts(env: Env = process.env): SessionTimeouts {
  if (env !== process.env) return parse(env);
  fromProcessEnv ??= parse(env);
  return fromProcessEnv;
}

function parse(env: Env): SessionTimeouts {
  const reader = new EnvReader(env);
  const timeouts = readSessionTimeouts(reader);
  reader.done();
  return timeouts;
}

/** For maintenance that may run long (migrations, VACUUM): no statement timeout, the same lock timeout. */
export const withoutStatementTimeout = (timeouts: SessionTimeouts = sessionTimeouts()): SessionTimeouts => ({
  ...timeouts,
  statementTimeoutMs: 0,
});

/**
 * The startup `options` of a connection: the timeouts, then the user's `PGOPTIONS` (libpq's
 * variable, which node-postgres reads only when a connection is given no options of its own, so it
 * may still override them), then `extra` (the caller's fixed settings).
 */
export function sessionOptions(
  timeouts: SessionTimeouts = sessionTimeouts(),
  extra = '',
  env: Env = process.env,
): string {
  for (const value of [timeouts.statementTimeoutMs, timeouts.lockTimeoutMs])
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`session timeout ${value} must be an integer >= 0`);
  return [
    `-c statement_timeout=${timeouts.statementTimeoutMs}`,
    `-c lock_timeout=${timeouts.lockTimeoutMs}`,
    env.PGOPTIONS?.trim() ?? '',
    extra,
  ]
    .filter((part) => part !== '')
    .join(' ');
}
