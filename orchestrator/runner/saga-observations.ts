/**
 * What one transaction of the runner did, as the saga metrics count it (lib/metrics/saga-metrics.ts):
 * collected while the runner decides, handed to the metrics only once the transaction committed
 * (`unit.afterCommit`), so work that rolls back (and runs again) is never counted.
 */

import { millisOfTimeOrderedId } from '../../lib/ids.ts';
import type { SagaMetrics, SagaOutcome } from '../../lib/metrics/saga-metrics.ts';
import { stepCommandOf } from '../saga/reply-check.ts';
import type { EventCause, HistoryRow } from '../saga/saga-history.ts';
import type { SagaContext, SagaStateName } from '../saga/saga-types.ts';

/** One event the saga took, as the runner sees it. */
export interface TakenEvent {
  orderId: string;
  cause: EventCause['kind'];
  from: SagaStateName;
  to: SagaStateName;
  /** The context after the event (its cancel reason, its failure). */
  context: SagaContext;
  /** The decision's history rows (the commands it sent). */
  history: readonly HistoryRow[];
  /** When the step's command was last sent (the saga's last write); undefined when unknown. */
  stepSentAt: Date | undefined;
}

const outcomeOf = (state: SagaStateName): SagaOutcome | null =>
  state === 'completed' || state === 'cancelled' || state === 'failed' ? state : null;

function reasonOf(outcome: SagaOutcome, context: SagaContext): string {
  switch (outcome) {
    case 'completed':
      return '';
    case 'cancelled':
      return context.cancelReason ?? '';
    case 'failed':
      return context.failure?.step ?? '';
    default: {
      const unknown: never = outcome;
      throw new TypeError(`unknown saga outcome ${String(unknown)}`);
    }
  }
}

const isResend = (row: HistoryRow): boolean =>
  row.kind === 'command_sent' && typeof row.detail?.attempt === 'number' && row.detail.attempt > 1;

export class SagaObservations {
  readonly #metrics: SagaMetrics;
  readonly #now: Date;
  #started = 0;
  readonly #taken: TakenEvent[] = [];
  readonly #rejected: string[] = [];

  constructor(metrics: SagaMetrics, now: Date) {
    this.#metrics = metrics;
    this.#now = now;
  }

  started(count: number): void {
    this.#started += count;
  }

  taken(event: TakenEvent): void {
    this.#taken.push(event);
  }

  rejected(refusal: HistoryRow): void {
    const reason = refusal.detail?.reason;
    this.#rejected.push(typeof reason === 'string' ? reason : 'unknown');
  }

  /** Hands everything to the metrics: call once the transaction committed. */
  readonly committed = (): void => {
    const metrics = this.#metrics;
    const nowMs = this.#now.getTime();
    if (this.#started > 0) metrics.started(this.#started);
    for (const reason of this.#rejected) metrics.replyRejected(reason);
    for (const event of this.#taken) {
      const waitedOn = stepCommandOf(event.from);
      if (event.cause === 'reply' && waitedOn !== null && event.stepSentAt !== undefined)
        metrics.stepLatency(waitedOn, Math.max(0, nowMs - event.stepSentAt.getTime()) / 1_000);
      if (event.cause === 'deadline') {
        if (waitedOn !== null) metrics.timedOut(waitedOn);
        for (const row of event.history) if (isResend(row)) metrics.resent(row.type);
      }
      const outcome = event.to === event.from ? null : outcomeOf(event.to);
      if (outcome !== null) {
        // Order ids made before ids were time-ordered (version 5) carry no time.
        const seconds =
          event.orderId[14] === '7'
            ? Math.max(0, nowMs - millisOfTimeOrderedId(event.orderId)) / 1_000
            : Number.NaN;
        metrics.finished(outcome, reasonOf(outcome, event.context), seconds);
      }
    }
  };
}
