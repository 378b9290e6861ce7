/**
 * A planned kill: at its moment, `kill -9` of the planned instance (or of the next service's when
 * its own is silenced), started again after the planned down time; then watched until it is ready.
 */
import { relative } from 'node:path';
import { repoRoot } from '../../scripts/support/service-processes.ts';
import type { ChaosRun } from '../chaos-run.ts';
import type { Disruption } from '../checks/check-result.ts';
import type { Instance } from '../cluster.ts';
import type { KillPlan } from '../run-plan.ts';
import type { KillRecord } from '../run-records.ts';
import { claimVictim } from './claim-victim.ts';

/** Milliseconds until the instance answers /health/ready; null if it did not, or was restarted meanwhile. */
async function readyAfter(run: ChaosRun, instance: Instance, timeoutMs: number): Promise<number | null> {
  const from = Date.now();
  const generation = instance.starts;
  while (Date.now() - from < timeoutMs && !run.lifetime.aborted && instance.starts === generation) {
    if (await run.cluster.probe(instance, '/health/ready')) return Date.now() - from;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return null;
}

export async function killEvent(run: ChaosRun, plan: KillPlan, number: number): Promise<void> {
  const { cluster, faults, records, lifetime, log } = run;
  await run.clock.sleepUntil(plan.at);
  const label = await claimVictim(run, plan.victim, `kill ${number}`);
  if (label === null) return;
  const instance = cluster.get(label);
  const from = Date.now();
  const disruption: Disruption = { what: `kill -9 ${label}`, services: [instance.service], from, to: null };
  records.disruptions.push(disruption);
  const record: KillRecord = {
    victim: label,
    planned: plan.victim,
    downMs: plan.downMs,
    at: run.clock.since(),
    readyAfterMs: null,
    note: '',
  };
  records.kills.push(record);
  try {
    log.say(
      `kill ${number}/${run.options.kills}: kill -9 ${label} (pid ${instance.process?.child.pid}), back in ${plan.downMs} ms`,
      { planned: plan.victim },
    );
    await cluster.kill(instance);
    await lifetime.sleep(plan.downMs);
    cluster.start(instance);
    const liveFrom = Date.now();
    if (!(await cluster.waitLive(instance, 60_000))) {
      records.availability.push(
        `${label} (kill ${number}) did not answer HTTP within 60 s of its restart (log ${relative(repoRoot, cluster.logOf(instance))})`,
      );
    } else if (Date.now() - liveFrom > 20_000) {
      records.slowLive.push(Date.now() - liveFrom);
    }
  } finally {
    faults.down.delete(label);
  }
  const generation = instance.starts;
  faults.readinessWatches.push(
    readyAfter(run, instance, 240_000).then((ms) => {
      if (ms !== null) {
        record.readyAfterMs = Date.now() - from;
        disruption.to = Date.now();
      } else if (!lifetime.aborted && (instance.starts !== generation || !cluster.alive(instance))) {
        record.note = 'killed again before it was ready';
        disruption.to = Date.now();
      } else if (!lifetime.aborted) {
        record.note = 'not ready within 240 s';
        records.findings.push(
          `${label} not ready within 240 s after its restart (log ${cluster.logOf(instance)})`,
        );
      }
    }),
  );
}
