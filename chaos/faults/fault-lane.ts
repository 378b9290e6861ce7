/**
 * The fault lane of the drive: kills and pauses at their planned moments (they may overlap), broker
 * events (restarts and kills) one at a time in the order of their moments, PostgreSQL restarts,
 * registry outages, duplicate bursts and network partitions each in a lane of their own.
 */
import type { ChaosRun } from '../chaos-run.ts';
import { brokerKillEvent } from './broker-kills.ts';
import { brokerRestartEvent } from './broker-restarts.ts';
import { duplicateBurst } from './duplicates.ts';
import { killEvent } from './kill-events.ts';
import { netPartitionLane } from './net-partitions.ts';
import { pauseEvent } from './pauses.ts';
import { pgRestartEvent } from './pg-restarts.ts';
import { registryOutageEvent } from './registry-outages.ts';

type BrokerEvent = { at: number; run: () => Promise<void> };

/** Runs `events` one after the other, each at its moment. */
async function sequence(run: ChaosRun, events: BrokerEvent[]): Promise<void> {
  for (const event of events.sort((a, b) => a.at - b.at)) {
    await run.clock.sleepUntil(event.at);
    // an event due while the one before ran is not started once the run is ending
    if (run.lifetime.aborted) return;
    await event.run();
  }
}

/** Rejects when a broker, PostgreSQL or the registry cannot be brought back: that ends the run. */
export async function faultLane(run: ChaosRun): Promise<void> {
  const { plan } = run;
  const f = plan.faultPlans;
  const brokerEvents: BrokerEvent[] = [
    ...plan.brokerPlans.map((at, i) => ({ at, run: () => brokerRestartEvent(run, i + 1) })),
    ...f.brokerKills.map((kill, i) => ({ at: kill.at, run: () => brokerKillEvent(run, kill, i + 1) })),
  ];
  await Promise.all([
    sequence(run, brokerEvents),
    sequence(
      run,
      f.pgRestarts.map((at, i) => ({ at, run: () => pgRestartEvent(run, i + 1) })),
    ),
    sequence(
      run,
      f.registryOutages.map((outage, i) => ({
        at: outage.at,
        run: () => registryOutageEvent(run, outage, i + 1),
      })),
    ),
    sequence(
      run,
      f.duplicateBursts.map((burst, i) => ({ at: burst.at, run: () => duplicateBurst(run, burst, i + 1) })),
    ),
    netPartitionLane(run),
    ...plan.killPlans.map((kill, i) => killEvent(run, kill, i + 1)),
    ...f.pauses.map((pause, i) => pauseEvent(run, pause, i + 1)),
  ]);
}
