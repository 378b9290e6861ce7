import knex from 'knex';
import { DatabaseUnavailableError } from '../db/database-unavailable.ts';

/**
 * Errors that say "the infrastructure is unavailable right now" (database or broker down, pool
 * exhausted, serialization conflict). Handling them means waiting and trying again, never
 * dead-lettering the message: the message itself is fine.
 *
 * Decided by the error's type or code only, never by its message: messages quote payloads (the
 * server's "invalid input syntax for type uuid: \"…\"", knex's SQL with its bindings, a handler's
 * "orderId '…' is not a UUID"), so a message whose payload says "Connection terminated" would
 * otherwise be retried forever and stall its partition.
 * - PostgreSQL SQLSTATE: class 08 (connection exception), 40001 serialization failure, 40P01
 *   deadlock, 53300 too many connections, 55P03 lock not available, 57P01-57P03 shutdown/restart;
 * - Node errno codes of the network (connection refused, reset, timed out, DNS);
 * - DatabaseUnavailableError (the unit of work: no connection, or one lost under a query) and
 *   knex's KnexTimeoutError (no connection from its pool in time);
 * - `retriable: true`: kafkajs errors (KafkaJSError) and AvroDecodeError `registry_unavailable`.
 * The `cause` chain is followed (a few levels), so a typed wrapper keeps its cause's verdict.
 */
// 55P03: lock_timeout; 57014: statement_timeout (or a cancel): a stuck query, tried again (lib/db/session-timeouts.ts).
const transientPgCodes = new Set(['40001', '40P01', '53300', '57P01', '57P02', '57P03', '55P03', '57014']);
const transientNodeCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

const isTransientCode = (code: string): boolean =>
  transientPgCodes.has(code) || code.startsWith('08') || transientNodeCodes.has(code);

export function isTransientError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    if (current instanceof DatabaseUnavailableError || current instanceof knex.KnexTimeoutError) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && isTransientCode(code)) return true;
    if ((current as { retriable?: unknown }).retriable === true) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
