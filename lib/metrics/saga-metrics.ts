import { Counter, Gauge, type Registry } from 'prom-client';
import { FastCounter } from './fast-counter.ts';
import { FastHistogram } from './fast-histogram.ts';
import { ChildrenBy1, ChildrenBy2 } from './label-children.ts';
import { orNaN } from './scrape-reads.ts';

/** How a saga ended (saga_finished_total's `outcome`). */
export type SagaOutcome = 'completed' | 'cancelled' | 'failed';

/**
 * The orchestrator's saga metrics. The runner calls these once the transaction that made the
 * change has committed (orchestrator/runner/saga-observations.ts), never for work that rolled back.
 */
export interface SagaMetrics {
  started(count: number): void;
  /**
   * `reason`: the cancel reason, the failed step, or '' for a completed saga; `durationSeconds`
   * NaN when unknown (an order id that is not time-ordered).
   */
  finished(outcome: SagaOutcome, reason: string, durationSeconds: number): void;
  /** From the step's command (its last send) to the reply that moved the saga. */
  stepLatency(command: string, seconds: number): void;
  resent(command: string): void;
  timedOut(command: string): void;
  replyRejected(reason: string): void;
  /** Where `saga_admission_refusals_total` reads the refusals so far (the admission control's count). */
  countRefusalsOf(refusals: () => number): void;
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const durationBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900];

/**
 * Registers the saga metrics; `sagas_in_flight` reads `readSagasInFlight` (the database's counter,
 * every orchestrator instance) when scraped.
 */
export function createSagaMetrics(
  registry: Registry,
  { readSagasInFlight }: { readSagasInFlight: () => Promise<number> },
): SagaMetrics {
  const registers = [registry];
  const started = new Counter({ name: 'saga_started_total', help: 'Sagas started', registers });
  const finished = new FastCounter({
    name: 'saga_finished_total',
    help: 'Sagas that reached a terminal state, by outcome and reason (cancel reason; failed step)',
    labelNames: ['outcome', 'reason'],
    registers,
  });
  const duration = new FastHistogram({
    name: 'saga_duration_seconds',
    help: 'From the order being placed to its saga reaching a terminal state',
    labelNames: ['outcome'],
    buckets: durationBuckets,
    registers,
  });
  const stepLatency = new FastHistogram({
    name: 'saga_step_latency_seconds',
    help: 'From a step command being sent to the reply that moved the saga being applied',
    labelNames: ['command'],
    buckets: latencyBuckets,
    registers,
  });
  const resends = new Counter({
    name: 'saga_command_resends_total',
    help: 'Commands re-sent after their step deadline passed',
    labelNames: ['command'],
    registers,
  });
  const timeouts = new Counter({
    name: 'saga_step_timeouts_total',
    help: 'Step deadlines that passed, by the command the step waited on',
    labelNames: ['command'],
    registers,
  });
  const rejected = new Counter({
    name: 'saga_replies_rejected_total',
    help: 'Replies not applied: they did not answer the command of the saga step',
    labelNames: ['reason'],
    registers,
  });
  new Gauge({
    name: 'sagas_in_flight',
    help: 'Sagas not yet completed, cancelled or failed (all instances)',
    registers,
    async collect() {
      this.set(await orNaN(readSagasInFlight));
    },
  });
  let refusals: () => number = () => 0;
  let refusalsSeen = 0;
  new Counter({
    name: 'saga_admission_refusals_total',
    help: 'Orders refused with 429 by admission control (MAX_SAGAS_IN_FLIGHT)',
    registers,
    collect() {
      const now = refusals();
      if (now > refusalsSeen) this.inc(now - refusalsSeen);
      refusalsSeen = Math.max(refusalsSeen, now);
    },
  });

  const finishedOf = new ChildrenBy2((outcome, reason) => finished.labels({ outcome, reason }));
  const durationOf = new ChildrenBy1((outcome) => duration.labels({ outcome }));
  const latencyOf = new ChildrenBy1((command) => stepLatency.labels({ command }));
  const resendsOf = new ChildrenBy1((command) => resends.labels({ command }));
  const timeoutsOf = new ChildrenBy1((command) => timeouts.labels({ command }));
  const rejectedOf = new ChildrenBy1((reason) => rejected.labels({ reason }));
  return {
    started: (count) => started.inc(count),
    finished(outcome, reason, durationSeconds) {
      finishedOf.of(outcome, reason).inc();
      if (Number.isFinite(durationSeconds)) durationOf.of(outcome).observe(durationSeconds);
    },
    stepLatency: (command, seconds) => latencyOf.of(command).observe(seconds),
    resent: (command) => resendsOf.of(command).inc(),
    timedOut: (command) => timeoutsOf.of(command).inc(),
    replyRejected: (reason) => rejectedOf.of(reason).inc(),
    countRefusalsOf(source) {
      refusals = source;
    },
  };
}
