import type { Logger } from '../logger.ts';
import type { CommittedOutboxRows, CommittedRowsSink, OutboxMessage } from './outbox.ts';
import type { RelayBatchPlan, RelayCoordination } from './outbox-relay.ts';

export interface AfterCommitPublisherDeps {
  /** Sends messages to Kafka in the order given (acks=all); throws if they may not have arrived. */
  send(messages: readonly OutboxMessage[]): Promise<void>;
  /** The rows with these seq numbers were acknowledged by Kafka: delete them from the outbox. */
  published(seqs: readonly number[]): void;
  /** Wakes the relay (it publishes from the table while the publisher cannot). */
  kickRelay(): void;
  logger: Logger;
  /** In memory mode the relay only takes rows at least this old: crash leftovers (5,000 ms). */
  relayGraceMs?: number;
  /** Rows per send (500). */
  maxBatchRows?: number;
  /** Beyond this many waiting rows the queue is dropped and the relay publishes them (20,000). */
  maxQueuedRows?: number;
}

export type PublishMode = 'relay' | 'memory';

interface Handoff {
  /** Position in the sequence of hand-offs and relay reads (see `batchStarting`). */
  tick: number;
  rows: CommittedOutboxRows;
}

/**
 * Publishes each committed transaction's outbox rows from memory, right after COMMIT, in commit order
 * — no NOTIFY, no read of the table — and has them deleted once Kafka acknowledged them. The relay
 * stays as the safety net for rows this process never published (a crash between COMMIT and send).
 *
 * Two modes, so that messages for one key are never published out of order (the relay publishes in
 * `seq` order; memory publishes in commit order):
 * - `relay` (at start, and after a failed send or an overfull queue): the relay publishes every row
 *   from the table. Hand-offs are only remembered. A relay read that found the table drained covers
 *   every row committed before the read began (its hand-off came earlier); when such a read began
 *   after the last abandoned hand-off, the publisher switches to `memory` and sends the remembered
 *   hand-offs that the read may not have seen (a row both saw is published twice; the inbox drops it).
 * - `memory`: hand-offs are sent one batch at a time in order; the relay reads only rows older than
 *   the grace period (leftovers of a crashed instance, or rows stuck here longer than that).
 *
 * Per-key order is exact within one instance. Two instances of one service that commit messages for
 * the same key within a send's time of each other may publish them in either order (the relay alone
 * orders across instances by `seq`): choose OUTBOX_PUBLISH=relay where that matters.
 */
export class AfterCommitPublisher implements CommittedRowsSink, RelayCoordination {
  readonly #deps: AfterCommitPublisherDeps;
  readonly #log: Logger;
  readonly #graceMs: number;
  readonly #maxBatchRows: number;
  readonly #maxQueuedRows: number;
  #mode: PublishMode = 'relay';
  #tick = 0;
  /** Hand-offs up to this tick were abandoned: memory mode waits for a relay read that began later. */
  #coveredFrom = 0;
  #queue: Handoff[] = [];
  #queuedRows = 0;
  #sending: Promise<void> | null = null;
  #stopping = false;
  #sentFromMemory = 0;
  #idleWaiters: Array<() => void> = [];

  constructor(deps: AfterCommitPublisherDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'after-commit-publisher' });
    this.#graceMs = deps.relayGraceMs ?? 5_000;
    this.#maxBatchRows = deps.maxBatchRows ?? 500;
    this.#maxQueuedRows = deps.maxQueuedRows ?? 20_000;
  }

  get mode(): PublishMode {
    return this.#mode;
  }

  /** Messages published from memory since start (the rest went through the relay). */
  get sentFromMemory(): number {
    return this.#sentFromMemory;
  }

  committed(rows: CommittedOutboxRows): void {
    if (this.#stopping || rows.messages.length === 0) return; // the rows wait in the table for the relay
    this.#tick += 1;
    this.#queue.push({ tick: this.#tick, rows });
    this.#queuedRows += rows.messages.length;
    if (this.#queuedRows > this.#maxQueuedRows) {
      this.#abandon(`more than ${this.#maxQueuedRows} rows wait to be published`);
      return;
    }
    if (this.#mode === 'memory') this.#pump();
    else this.#deps.kickRelay();
  }

  async batchStarting(): Promise<RelayBatchPlan> {
    // In relay mode a send from memory may still be in flight (the one whose failure switched the
    // mode): the relay must not overtake it. In memory mode the relay reads only old rows, which are
    // ahead of anything queued here for the same key, so it does not wait (it would starve under load).
    if (this.#mode === 'relay') while (this.#sending) await this.#sending;
    this.#tick += 1;
    return { token: this.#tick, minAgeMs: this.#mode === 'memory' ? this.#graceMs : 0 };
  }

  caughtUp(token: number): void {
    if (this.#mode === 'memory' || this.#stopping) return;
    // Handed off before the read began = committed before it: the relay published those rows.
    this.#dropHandedOffBefore(token);
    if (token <= this.#coveredFrom) return;
    this.#mode = 'memory';
    this.#log.info({ waiting: this.#queuedRows }, 'outbox caught up; publishing after commit');
    this.#pump();
  }

  /** Sends what is queued (memory mode), then stops taking hand-offs; the rest stays in the table. */
  async stop(): Promise<void> {
    while (this.#mode === 'memory' && (this.#sending || this.#queue.length > 0)) {
      this.#pump();
      if (this.#sending) await this.#sending;
    }
    this.#stopping = true;
    while (this.#sending) await this.#sending;
  }

  /** Resolves when nothing waits in memory and no send is in flight. */
  idle(): Promise<void> {
    if (this.#sending === null && (this.#queue.length === 0 || this.#mode === 'relay'))
      return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #pump(): void {
    if (this.#sending || this.#mode !== 'memory' || this.#queue.length === 0) return;
    this.#sending = this.#sendNext().finally(() => {
      this.#sending = null;
      this.#pump();
      if (this.#sending === null) for (const wake of this.#idleWaiters.splice(0)) wake();
    });
  }

  async #sendNext(): Promise<void> {
    const batch: Handoff[] = [];
    let rows = 0;
    while (
      this.#queue.length > 0 &&
      (batch.length === 0 || rows + (this.#queue[0]?.rows.messages.length ?? 0) <= this.#maxBatchRows)
    ) {
      const next = this.#queue.shift() as Handoff;
      batch.push(next);
      rows += next.rows.messages.length;
    }
    this.#queuedRows -= rows;
    try {
      await this.#deps.send(batch.flatMap((h) => h.rows.messages));
    } catch (error) {
      this.#log.warn(
        { err: error, rows },
        'publishing after commit failed; the relay publishes from the outbox',
      );
      this.#abandon('a send failed');
      return;
    }
    this.#sentFromMemory += rows;
    this.#deps.published(batch.flatMap((h) => h.rows.seqs));
  }

  /** Leaves everything not yet sent to the relay, until a relay read that begins after now drains the table. */
  #abandon(reason: string): void {
    if (this.#mode === 'memory')
      this.#log.warn({ reason }, 'publishing from the outbox table until it is drained');
    this.#mode = 'relay';
    this.#coveredFrom = this.#tick;
    this.#queue = [];
    this.#queuedRows = 0;
    this.#deps.kickRelay();
  }

  #dropHandedOffBefore(token: number): void {
    let dropped = 0;
    while (this.#queue.length > 0 && (this.#queue[0]?.tick ?? token) < token) {
      dropped += (this.#queue.shift() as Handoff).rows.messages.length;
    }
    this.#queuedRows -= dropped;
  }
}
