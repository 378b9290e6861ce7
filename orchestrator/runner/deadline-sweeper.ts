import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWork, UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import type { Clock } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import { isTransientError } from '../../lib/messaging/transient-errors.ts';
import { OrderSpans } from '../../lib/tracing/order-spans.ts';
import { type Tracing, tracingOff } from '../../lib/tracing/tracing-api.ts';
import {
  type DeadlineFailurePolicy,
  defaultDeadlineFailurePolicy,
  recordDeadlineFailure,
} from './deadline-failures.ts';
import type { SagaRunner } from './saga-runner.ts';

export interface DeadlineSweeper {
  /** Fires every due deadline once; returns how many fired. */
  sweepOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Fires due step deadlines (durable, in orders.sagas.deadline_at) as DEADLINE_PASSED events. Any
 * number of orchestrator instances may sweep: `for update skip locked` gives each due saga to one of
 * them, and applying the event re-arms or clears the deadline in the same transaction.
 *
 * A sweep handles its due sagas in one transaction. When that fails for another reason than an
 * outage, each due saga goes alone in a transaction of its own: the others fire in the same sweep,
 * and the one that fails backs off (its deadline moves back) and, failing again and again, is
 * parked as FAILED (deadline-failures.ts). An outage fails the sweep, which is tried again later.
 */
export function startDeadlineSweeper({
  units,
  runner,
  clock,
  logger,
  intervalMs,
  batchSize = 200,
  failurePolicy = defaultDeadlineFailurePolicy,
  tracing = tracingOff,
}: {
  units: UnitOfWorkRunner;
  runner: SagaRunner;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  batchSize?: number;
  /** How a saga whose deadline keeps failing backs off, and when it is parked. */
  failurePolicy?: DeadlineFailurePolicy;
  /** A span per fired deadline, in its order's trace, when on. */
  tracing?: Tracing;
}): DeadlineSweeper {
  const log = logger.child({ component: 'deadline-sweeper' });
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();

  const due = (unit: UnitOfWork, orderId?: string) =>
    unit.read<{ order_id: string }>(
      queryBuilder('orders.sagas')
        .select('order_id')
        .where('deadline_at', '<=', clock())
        .modify((query) => {
          if (orderId !== undefined) query.where('order_id', orderId);
        })
        .orderBy('deadline_at')
        .limit(batchSize)
        .forUpdate()
        .skipLocked(),
    );

  // The spans end once the transaction committed (or failed).
  const fire = (orderId?: string): Promise<number> =>
    new OrderSpans(tracing).around((spans) =>
      units.run(async (unit) => {
        const sagas = await due(unit, orderId);
        if (sagas.length === 0) return 0;
        await runner.applyEvents(
          unit,
          sagas.map(({ order_id }) => ({
            orderId: order_id,
            event: { type: 'DEADLINE_PASSED' },
            cause: { kind: 'deadline', type: 'DEADLINE_PASSED', messageId: null },
            traceparent: spans.start('DEADLINE_PASSED', order_id),
          })),
        );
        return sagas.length;
      }),
    );

  /** Each due saga alone; one that fails is recorded as failed (backing off, or parked). */
  const fireEachAlone = async (): Promise<number> => {
    const ids = await units.run(async (unit) =>
      (
        await unit.read<{ order_id: string }>(
          queryBuilder('orders.sagas')
            .select('order_id')
            .where('deadline_at', '<=', clock())
            .orderBy('deadline_at')
            .limit(batchSize),
        )
      ).map((row) => row.order_id),
    );
    let fired = 0;
    for (const orderId of ids) {
      try {
        fired += await fire(orderId);
      } catch (error) {
        if (isTransientError(error)) throw error;
        const outcome = await units
          .run((unit) => recordDeadlineFailure(unit, orderId, error, clock(), failurePolicy))
          .catch((recordError: unknown) => {
            // Not even the failure could be written: the next sweep tries again; the others go on.
            if (isTransientError(recordError)) throw recordError;
            log.error({ err: recordError, orderId, cause: error }, 'recording a failed deadline failed');
            return { kind: 'gone' } as const;
          });
        if (outcome.kind === 'parked')
          log.error(
            { err: error, orderId, failures: outcome.failures },
            'saga parked as FAILED: its deadline keeps failing; an operator retry resumes it',
          );
        else if (outcome.kind === 'backed_off')
          log.warn(
            { err: error, orderId, failures: outcome.failures, retryAt: outcome.retryAt },
            'deadline of a saga failed; it is tried again later',
          );
      }
    }
    return fired;
  };

  const sweepOnce = async (): Promise<number> => {
    try {
      return await fire();
    } catch (error) {
      if (isTransientError(error)) throw error;
      log.warn({ err: error }, 'deadline sweep failed; handling its sagas one by one');
      return fireEachAlone();
    }
  };

  let failures = 0;
  /** Ends the wait between two sweeps (on stop). */
  let wake: (() => void) | null = null;
  const loop = async () => {
    while (!stopped) {
      let fired = 0;
      try {
        fired = await sweepOnce();
        if (fired > 0) log.info({ fired }, 'step deadlines passed');
        if (failures > 0) log.info('deadline sweeper recovered');
        failures = 0;
      } catch (error) {
        failures += 1;
        log.warn({ err: error }, 'deadline sweep failed; will retry');
      }
      if (fired < batchSize && !stopped)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(
            resolve,
            failures > 0 ? Math.min(5_000, intervalMs * 2 ** failures) : intervalMs,
          );
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      wake = null;
    }
  };
  current = loop();

  return {
    sweepOnce,
    stop: async () => {
      stopped = true;
      wake?.();
      await current;
    },
  };
}
