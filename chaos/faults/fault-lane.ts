/** The fault lane of the drive: kills at their planned moments (they may overlap), broker restarts and partitions one at a time. */
import type { ChaosRun } from '../chaos-run.ts';
import { brokerRestartEvent } from './broker-restarts.ts';
import { killEvent } from './kill-events.ts';
import { netPartitionLane } from './net-partitions.ts';

/** Rejects when a broker restart fails: that ends the run. */
export async function faultLane(run: ChaosRun): Promise<void> {
  const brokerLane = (async () => {
    for (const [i, at] of run.plan.brokerPlans.entries()) {
      await run.clock.sleepUntil(at);
      await brokerRestartEvent(run, i + 1);
    }
  })();
  await Promise.all([
    brokerLane,
    netPartitionLane(run),
    ...run.plan.killPlans.map((plan, i) => killEvent(run, plan, i + 1)),
  ]);
}
