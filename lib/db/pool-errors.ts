/**
 * node-postgres emits `error` on a pooled client whose connection breaks (the server restarted, its
 * backend terminated), and pg.Pool listens only while the client is idle: a client checked out at
 * that moment has no listener, and an `error` event without one ends the process. The statements in
 * flight on it reject with the error anyway (their caller sees it; a unit of work then releases the
 * client as broken), so the listener here only logs it. Attached once per connection, when the pool
 * opens it: nothing per query.
 */
import type pg from 'pg';

/** Idle or checked out, a pool's broken connection is reported to `onError`, never an uncaught `error`. */
export function reportPoolErrors(
  pool: pg.Pool,
  onError: (error: Error, state: 'idle' | 'in use') => void,
): void {
  // An idle client's error reaches the pool's listener too (in either order: the pool re-attaches
  // its own on every release): reported once, as idle.
  const reportedIdle = new WeakSet<Error>();
  pool.on('error', (error) => {
    reportedIdle.add(error);
    onError(error, 'idle');
  });
  pool.on('connect', (client) => {
    // the pool's own idle listener comes and goes; this one stays for the connection's life
    client.on('error', (error) => {
      queueMicrotask(() => {
        if (!reportedIdle.has(error)) onError(error, 'in use');
      });
    });
  });
}
