/**
 * A planned pause: SIGSTOP of a service instance for longer than its consumer session timeout, then
 * SIGCONT. Meanwhile the group gives its partitions to the other instance; the paused one wakes up
 * a zombie — with batches in hand, a transaction open, maybe a relay lease — and must not apply
 * anything twice (the exactly-once invariants 3 and 5a–5c say whether it did). Its service cannot
 * make progress on its partitions until the session times out: a disruption for the outcome check.
 */
import type { ChaosRun } from '../chaos-run.ts';
import type { Disruption } from '../checks/check-result.ts';
import { seconds } from '../event-log.ts';
import { claimVictim } from './claim-victim.ts';
import { type PausePlan, sessionTimeoutMs } from './fault-plans.ts';

export async function pauseEvent(run: ChaosRun, plan: PausePlan, number: number): Promise<void> {
  const { cluster, faults, records, lifetime, log } = run;
  await run.clock.sleepUntil(plan.at);
  // As a kill: the silenced participant's instances keep their fault (they must answer /faults).
  const label = await claimVictim(run, plan.victim, `pause ${number}`);
  if (label === null) return;
  const instance = cluster.get(label);
  const child = instance.process?.child;
  const at = run.clock.since();
  const from = Date.now();
  const disruption: Disruption = { what: `pause ${label}`, services: [instance.service], from, to: null };
  records.disruptions.push(disruption);
  log.say(
    `pause ${number}/${run.options.pauses}: SIGSTOP ${label} (pid ${child?.pid}) for ${plan.pauseMs} ms (session timeout ${sessionTimeoutMs} ms)`,
  );
  try {
    child?.kill('SIGSTOP');
    await lifetime.sleep(plan.pauseMs).catch(() => undefined);
  } finally {
    child?.kill('SIGCONT');
    faults.down.delete(label);
  }
  log.say(`pause ${number}: SIGCONT ${label} after ${seconds(Date.now() - from)}`);
  const resumedAt = Date.now();
  // Ready again by itself: its consumer learns it was fenced and rejoins.
  let readyMs: number | null = null;
  while (Date.now() - resumedAt < 150_000 && !lifetime.aborted && cluster.alive(instance)) {
    if (await cluster.probe(instance, '/health/ready')) {
      readyMs = Date.now() - resumedAt;
      break;
    }
    await lifetime.sleep(500).catch(() => undefined);
  }
  // The rebalance after it woke up is part of the disruption too.
  disruption.to = Date.now() + sessionTimeoutMs;
  if (readyMs === null && !lifetime.aborted && cluster.alive(instance))
    records.findings.push(`pause ${number}: ${label} not ready within 150 s of its SIGCONT`);
  records.faults.push({
    kind: 'pause',
    at,
    target: label,
    durationMs: plan.pauseMs,
    outcome: readyMs === null ? 'not seen ready again' : `ready ${seconds(readyMs)} after SIGCONT`,
  });
}
