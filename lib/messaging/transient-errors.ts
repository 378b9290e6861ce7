/**
 * Errors that say "the infrastructure is unavailable right now" (database or broker down, pool
 * exhausted, serialization conflict). Handling them means waiting and trying again, never
 * dead-lettering the message: the message itself is fine.
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

export function isTransientError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (transientPgCodes.has(code) || code.startsWith('08') || transientNodeCodes.has(code)) return true;
    }
    if ((current as { retriable?: unknown }).retriable === true) return true;
    const message = current.message;
    if (
      /Timeout acquiring a connection|timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|terminating connection/i.test(
        message,
      )
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
