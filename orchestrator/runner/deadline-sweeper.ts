import { queryBuilder } from '../../lib/db/query-builder.ts';
import type { UnitOfWorkRunner } from '../../lib/db/unit-of-work.ts';
import type { Clock } from '../../lib/ids.ts';
import type { Logger } from '../../lib/logger.ts';
import { OrderSpans } from '../../lib/tracing/order-spans.ts';
import { type Tracing, tracingOff } from '../../lib/tracing/tracing-api.ts';
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
 */
export function startDeadlineSweeper({
  units,
  runner,
  clock,
  logger,
  intervalMs,
  batchSize = 200,
  tracing = tracingOff,
}: {
  units: UnitOfWorkRunner;
  runner: SagaRunner;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  batchSize?: number;
  /** A span per fired deadline, in its order's trace, when on. */
  tracing?: Tracing;
}): DeadlineSweeper {
  const log = logger.child({ component: 'deadline-sweeper' });
  let stopped = false;
  let current: Promise<unknown> = Promise.resolve();

  // The spans end once the transaction committed (or failed).
  const sweepOnce = (): Promise<number> =>
    new OrderSpans(tracing).around((spans) =>
      units.run(async (unit) => {
        const due = await unit.read<{ order_id: string }>(
          queryBuilder('orders.sagas')
            .select('order_id')
            .where('deadline_at', '<=', clock())
            .orderBy('deadline_at')
            .limit(batchSize)
            .forUpdate()
            .skipLocked(),
        );
        if (due.length === 0) return 0;
        await runner.applyEvents(
          unit,
          due.map(({ order_id }) => ({
            orderId: order_id,
            event: { type: 'DEADLINE_PASSED' },
            cause: { kind: 'deadline', type: 'DEADLINE_PASSED', messageId: null },
            traceparent: spans.start('DEADLINE_PASSED', order_id),
          })),
        );
        return due.length;
      }),
    );

  let failures = 0;
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
      if (fired < batchSize)
        await new Promise((resolve) =>
          setTimeout(resolve, failures > 0 ? Math.min(5_000, intervalMs * 2 ** failures) : intervalMs),
        );
    }
  };
  current = loop();

  return {
    sweepOnce,
    stop: async () => {
      stopped = true;
      await current;
    },
  };
}
