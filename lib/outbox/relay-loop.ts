import type { Logger } from '../logger.ts';
import type { PublishRows } from './relay-publish.ts';
import { nextRelayWork, retryBackoffMs } from './relay-schedule.ts';
import type { RelayState } from './relay-state.ts';
import { LOCK_HELD_ELSEWHERE, type RelayTable } from './relay-table.ts';

export interface RelayLoopOptions {
  state: RelayState;
  table: RelayTable;
  publish: PublishRows;
  batchSize: number;
  /** See OutboxRelayOptions.lingerMs. */
  lingerMs: number;
  /** See OutboxRelayOptions.deleteEveryMs. */
  deleteEveryMs: number;
  logger: Logger;
}

/**
 * The relay's one publisher loop: woken (`kick`, `readTable`), it runs steps (relay-schedule.ts)
 * until there is nothing left to do, one run at a time; work that arrives during a run makes it go
 * round once more. A failed step is logged and retried after a backoff, its queued rows left to a
 * read of the table.
 */
export class RelayLoop {
  readonly #state: RelayState;
  readonly #table: RelayTable;
  readonly #publish: PublishRows;
  readonly #batchSize: number;
  readonly #lingerMs: number;
  readonly #deleteEveryMs: number;
  readonly #log: Logger;
  /** The run in progress; null while idle. */
  #running: Promise<void> | null = null;
  /** Woken during a run: the run looks for work once more before it goes idle. */
  #rerun = false;
  /** The last step succeeded (false from a failure until the next success). */
  #healthy = true;
  /** Failed steps in a row, for the backoff. */
  #failures = 0;
  /** Fires `deleteEveryMs` after the first row published from memory that waits to be deleted. */
  #deleteTimer: NodeJS.Timeout | null = null;
  #publishedFromMemory = 0;
  /** drain() callers, woken when a run ends with nothing published left undeleted. */
  readonly #idleWaiters: Array<() => void> = [];

  constructor(options: RelayLoopOptions) {
    this.#state = options.state;
    this.#table = options.table;
    this.#publish = options.publish;
    this.#batchSize = options.batchSize;
    this.#lingerMs = options.lingerMs;
    this.#deleteEveryMs = options.deleteEveryMs;
    this.#log = options.logger;
  }

  get healthy(): boolean {
    return this.#healthy;
  }

  /** Rows published from memory, without reading them back from the outbox. */
  get publishedFromMemory(): number {
    return this.#publishedFromMemory;
  }

  /** Starts a run (after `lingerMs` when idle), or has the one in progress look again. */
  kick(): void {
    if (this.#state.stopped) return;
    if (this.#running) {
      this.#rerun = true;
      return;
    }
    const linger =
      this.#lingerMs > 0
        ? new Promise<void>((resolve) => setTimeout(resolve, this.#lingerMs))
        : Promise.resolve();
    this.#running = linger.then(this.#runUntilIdle).finally(this.#ranToIdle);
  }

  /** The outbox may hold rows this relay has not seen. */
  readonly readTable = (): void => {
    this.#state.tableDirty = true;
    this.kick();
  };

  /**
   * Resolves once the relay went idle with nothing left to publish and its published rows deleted
   * (or it stopped).
   */
  drain(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#state.deleteDue = true;
      this.readTable();
    });
  }

  /** Ends the loop (the caller set `state.stopped`): waits for the run in progress. */
  async stop(): Promise<void> {
    if (this.#deleteTimer !== null) clearTimeout(this.#deleteTimer);
    await this.#running;
  }

  /** Wakes every drain() caller (at stop). */
  wakeIdleWaiters(): void {
    for (const wake of this.#idleWaiters.splice(0)) wake();
  }

  readonly #ranToIdle = (): void => {
    this.#running = null;
  };

  readonly #runUntilIdle = async (): Promise<void> => {
    const state = this.#state;
    do {
      this.#rerun = false;
      for (;;) {
        if (state.stopped) return;
        let more: boolean;
        try {
          more = await this.#step();
          if (!this.#healthy) this.#log.info('outbox relay recovered');
          this.#healthy = true;
          this.#failures = 0;
        } catch (error) {
          this.#failures += 1;
          this.#healthy = false;
          state.readQueuedFromTable();
          const backoffMs = retryBackoffMs(this.#failures);
          this.#log.warn(
            { err: error, backoffMs },
            'outbox relay could not publish; rows stay in the outbox and will be retried',
          );
          await new Promise((resolve) => setTimeout(resolve, backoffMs));
          continue;
        }
        if (!more) break;
      }
    } while (this.#rerun && !state.stopped);
    if (state.rows.awaitingDelete === 0) this.wakeIdleWaiters();
  };

  /** One step of the loop: false when there is nothing left to do. */
  async #step(): Promise<boolean> {
    const state = this.#state;
    const work = nextRelayWork(state, this.#batchSize, this.#deleteEveryMs);
    switch (work) {
      case 'publishFromTable': {
        // Cleared first: a NOTIFY during the read sets it again, and the read runs once more.
        state.tableDirty = false;
        const unnotifiedBefore = state.unnotifiedCommits;
        const published = await this.#table.publishBatch();
        if (published === LOCK_HELD_ELSEWHERE) {
          // Another instance holds the relay lock. If this process committed rows without a NOTIFY,
          // send one now, after their commit: the publisher reads the table and finds them.
          if (state.unnotifiedCommits > state.unnotifiedCommitsSeen) {
            const unnotified = state.unnotifiedCommits;
            await this.#table.notifyPublisher();
            state.unnotifiedCommitsSeen = Math.max(state.unnotifiedCommitsSeen, unnotified);
          }
          return false;
        }
        if (published >= this.#batchSize) state.tableDirty = true;
        // The outbox was drained as of this read: the rows of every commit before it are published.
        else state.unnotifiedCommitsSeen = Math.max(state.unnotifiedCommitsSeen, unnotifiedBefore);
        return true;
      }
      case 'publishFromMemory':
        await this.#publishMemoryBatch();
        return true;
      case 'deletePublished':
        state.deleteDue = false;
        await this.#table.deletePublished();
        return true;
      case 'idle':
        return false;
      default: {
        const unknown: never = work;
        throw new Error(`unknown relay work ${String(unknown)}`);
      }
    }
  }

  async #publishMemoryBatch(): Promise<void> {
    const batch = this.#state.rows.take(this.#batchSize);
    if (batch.length === 0) return;
    await this.#publish(batch);
    this.#publishedFromMemory += batch.length;
    if (this.#deleteTimer === null && this.#deleteEveryMs > 0) {
      this.#deleteTimer = setTimeout(this.#deleteTimerFired, this.#deleteEveryMs);
    }
  }

  readonly #deleteTimerFired = (): void => {
    this.#deleteTimer = null;
    this.#state.deleteDue = true;
    this.kick();
  };
}
