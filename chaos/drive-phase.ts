/**
 * The drive: the order workers take the paced regular orders while the fault lane (kills at their
 * moments, broker restarts one at a time) and the silence lane run beside them. A lane that fails
 * (e.g. the broker cannot be restarted) ends the run.
 */
import type { ChaosRun } from './chaos-run.ts';
import { OrderDriver } from './driver.ts';
import { compensationLane } from './faults/compensation-windows.ts';
import { faultLane } from './faults/fault-lane.ts';
import { silenceLane } from './faults/silent-windows.ts';
import { OrderFlow } from './order-flow.ts';
import type { OrderMonitor } from './order-monitor.ts';

/** Resolves once every order was placed (and followed until terminal or its timeout) and every fault is over. */
export async function drive(run: ChaosRun, flow: OrderFlow, monitor: OrderMonitor): Promise<void> {
  const { options, lifetime, log } = run;
  run.clock.start();
  const progress = setInterval(() => {
    const acked = flow.placed.filter((p) => p.orderIds.size > 0).length;
    const pending = monitor.pendingStates().size;
    log.say(
      `progress: ${flow.placed.length}/${options.orders} placed, ${acked - pending} terminal, ${pending} pending`,
    );
  }, 10_000);
  try {
    const lanes = Promise.all([
      faultLane(run),
      silenceLane(run, flow, monitor),
      compensationLane(run, flow, monitor),
    ]);
    lanes.catch((error: unknown) => lifetime.failWith(error));
    await Promise.all(Array.from({ length: options.concurrency }, () => flow.worker()));
    await lanes;
    await Promise.all(run.faults.readinessWatches);
  } finally {
    clearInterval(progress);
  }
}

/** The order flow of a run: orders POSTed to any orchestrator instance, retried with the same key. */
export function orderFlowOf(run: ChaosRun, monitor: OrderMonitor): { flow: OrderFlow; driver: OrderDriver } {
  const driver = new OrderDriver({
    orchestrators: () => run.cluster.of('orchestrator'),
    placeTimeoutMs: 120_000,
    signal: run.lifetime.signal,
  });
  return { flow: new OrderFlow(run, driver, monitor), driver };
}
