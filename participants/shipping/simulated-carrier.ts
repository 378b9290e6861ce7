/**
 * The simulated carrier (issue #37): picks up each scheduled shipment `pickUpAfterMs` after it was
 * scheduled and delivers it `deliverAfterMs` after its pickup, by itself. It polls Postgres for the
 * shipments that are due (so a restart loses no pending pickup) and applies each event through the
 * same transaction as `POST /shipments/:shipmentId/events` (carrier-events.ts). Off unless
 * SIMULATED_CARRIER=true (npm start and docker-compose turn it on).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../lib/ids.ts';
import type { BackgroundTask } from '../../lib/service/run-service.ts';
import { applyCarrierEvent, type CarrierEventDeps, dueShipments } from './carrier-events.ts';

export interface SimulatedCarrierOptions {
  pickUpAfterMs: number;
  deliverAfterMs: number;
  /** How often it looks for due shipments. */
  pollMs: number;
  /** At most this many events per pass. */
  batch: number;
}

export const defaultSimulatedCarrier: SimulatedCarrierOptions = {
  pickUpAfterMs: 30_000,
  deliverAfterMs: 30_000,
  pollMs: 1_000,
  batch: 100,
};

export interface SimulatedCarrierDeps extends CarrierEventDeps {
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** One pass: every due shipment gets its next event. Returns how many shipments moved on. */
export async function advanceDueShipments(
  deps: SimulatedCarrierDeps,
  options: SimulatedCarrierOptions,
): Promise<number> {
  const now = deps.clock();
  const due = await dueShipments(deps.units, {
    pickUpBefore: new Date(now.getTime() - options.pickUpAfterMs),
    deliverBefore: new Date(now.getTime() - options.deliverAfterMs),
    limit: options.batch,
  });
  let moved = 0;
  for (const { shipmentId, next } of due) {
    const result = await applyCarrierEvent(deps, shipmentId, { type: next, at: deps.clock() });
    if (result.kind === 'advance') moved++;
    // A cancel or another carrier event can come between the poll and the lock: nothing to do then.
    else if (result.kind === 'refused')
      deps.logger.info({ shipmentId, next, reason: result.reason }, 'simulated carrier skipped a shipment');
  }
  return moved;
}

/** Starts polling; `stop()` waits for the pass in progress. */
export function startSimulatedCarrier(
  deps: SimulatedCarrierDeps,
  options: SimulatedCarrierOptions,
): BackgroundTask {
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  const pass = async (): Promise<void> => {
    try {
      const moved = await advanceDueShipments(deps, options);
      // A full batch: more may be due, look again at once.
      if (moved >= options.batch) return schedule(0);
    } catch (error) {
      deps.logger.warn({ err: error }, 'simulated carrier pass failed; trying again at the next poll');
    }
    schedule(options.pollMs);
  };
  const schedule = (ms: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass();
    }, ms);
  };
  deps.logger.info(options, 'simulated carrier on');
  schedule(options.pollMs);
  return {
    stop: async () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      await running;
    },
  };
}
