/**
 * The partition lane (`--net-partitions N`): at each planned moment one instance is cut off from
 * the broker, the registry and Postgres (its HTTP port stays reachable), healed after the planned
 * seconds, then watched until it is ready again by itself (no restart). One partition at a time.
 * What it must show: a cut-off instance applies nothing twice when it comes back (the invariants).
 */
import type { ChaosRun } from '../chaos-run.ts';
import type { Disruption } from '../checks/check-result.ts';
import { seconds } from '../event-log.ts';
import type { NetFabric } from '../net/net-fabric.ts';
import { type PartitionPlan, planPartitions } from '../net/partitions.ts';
import type { FaultRecord } from '../run-records.ts';

/** After a heal, probes count from then on (an earlier "ready" may predate the consumer noticing the cut). */
const settleMs = 2_000;
const readyWithinMs = 150_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function partitionEvent(run: ChaosRun, network: NetFabric, plan: PartitionPlan, number: number) {
  const { cluster, records, lifetime, log } = run;
  const instance = cluster.get(plan.victim);
  const at = run.clock.since();
  const disruption: Disruption = {
    what: `partition ${number} (${instance.label} cut off)`,
    services: [instance.service],
    from: Date.now(),
    to: null,
  };
  records.disruptions.push(disruption);
  log.say(
    `partition ${number}/${run.options.netPartitions}: ${instance.label} cut off from broker, registry and Postgres for ${seconds(plan.cutMs)}`,
  );
  await network.cut(instance.slot);
  try {
    await lifetime.sleep(plan.cutMs);
  } finally {
    // interrupted: the teardown removes the namespace, maybe already
    await network.heal(instance.slot).catch((error: unknown) => {
      if (!lifetime.aborted) throw error;
    });
  }
  const healedAt = Date.now();
  log.say(`partition ${number}: ${instance.label} healed`);
  const fault: FaultRecord = {
    kind: 'net-partition',
    at,
    target: instance.label,
    durationMs: healedAt - disruption.from,
    outcome: `cut off from broker, registry and Postgres for ${seconds(healedAt - disruption.from)}`,
  };
  records.faults.push(fault);
  run.faults.readinessWatches.push(
    (async () => {
      await pause(settleMs);
      while (Date.now() - healedAt < readyWithinMs && !lifetime.aborted) {
        if (await cluster.probe(instance, '/health/ready')) {
          disruption.to = Date.now();
          fault.outcome += `, ready ${seconds(disruption.to - healedAt)} after the heal`;
          log.say(
            `partition ${number}: ${instance.label} ready ${seconds(disruption.to - healedAt)} after the heal`,
          );
          return;
        }
        await pause(250);
      }
      if (!lifetime.aborted)
        records.findings.push(
          `${instance.label} not ready within ${seconds(readyWithinMs)} after partition ${number} healed (log ${cluster.logOf(instance)})`,
        );
    })(),
  );
}

/** Rejects when a cut or a heal cannot be applied: that ends the run. */
export async function netPartitionLane(run: ChaosRun): Promise<void> {
  const network = run.network;
  if (network === null || run.options.netPartitions === 0) return;
  const labels = run.cluster.instances.map((i) => i.label);
  const plans = planPartitions(run.options.seed, run.options.netPartitions, run.plan.durationMs, labels);
  for (const [i, plan] of plans.entries()) {
    await run.clock.sleepUntil(plan.at);
    await partitionEvent(run, network, plan, i + 1);
  }
}
