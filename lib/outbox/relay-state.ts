import type pg from 'pg';
import { CommittedRows } from './committed-rows.ts';

/**
 * What a relay knows while it runs, shared by its parts (outbox-relay.ts wires them): whether it is
 * the publisher, whether the table may hold rows it has not read, which of its process's commits
 * sent no NOTIFY, and the rows it holds in memory. The publisher loop's own scheduling (a run in
 * progress, timers, health) is private to RelayLoop (relay-loop.ts).
 */
export class RelayState {
  /** stop() was called: no new work starts. */
  stopped = false;
  /** The outbox may hold rows this relay has not published: read it before publishing from memory. */
  tableDirty = true;
  /** Rows published from memory wait to be deleted now (the delete timer fired, or a drain). */
  deleteDue = false;
  /** The connection whose session holds the relay lock; null while this relay is not the publisher. */
  owner: pg.PoolClient | null = null;
  /** The LISTEN connection; null while it is down (the relay then reads everything from the table). */
  listener: pg.Client | null = null;
  /**
   * Commits of this process that sent no NOTIFY (this relay held the lock when they wrote) and that
   * it did not publish from memory, and how many of them are known to be seen by the publisher: a
   * read of this relay's began after them, or a NOTIFY it sent on their behalf.
   */
  unnotifiedCommits = 0;
  unnotifiedCommitsSeen = 0;
  /** Rows committed by this process and not published yet; rows published and not deleted yet. */
  readonly rows = new CommittedRows();

  /** True while rows this process commits are published from memory rather than read back. */
  get publishingFromMemory(): boolean {
    return this.owner !== null && this.listener !== null && !this.stopped;
  }

  /**
   * Drops the queued rows: they are in the table, to be read back from there. They were committed
   * without a NOTIFY, so whoever publishes next may not know of them yet.
   */
  readQueuedFromTable(): void {
    if (this.rows.queued > 0) this.unnotifiedCommits += 1;
    this.rows.dropQueued();
    this.tableDirty = true;
  }

  /** The lock went with its connection: whoever holds it next reads the queued rows from the table. */
  loseLock(): void {
    this.owner = null;
    this.readQueuedFromTable();
  }
}
