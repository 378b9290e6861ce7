/**
 * A planned registry outage: the schema registry stopped (`npm run stack -- stop registry`) for its
 * down time, then started again on its data. Running instances keep the schemas they resolved;
 * an instance (re)started meanwhile waits for it (its kill's readiness watch allows for that).
 */
import type { ChaosRun } from '../chaos-run.ts';
import { seconds } from '../event-log.ts';
import type { OutagePlan } from './fault-plans.ts';
import { stackOrThrow } from './stack-commands.ts';

/** Rejects when the registry cannot be started again: that ends the run. */
export async function registryOutageEvent(run: ChaosRun, plan: OutagePlan, number: number): Promise<void> {
  const { records, log, lifetime } = run;
  const { logDir } = run.identity;
  const at = run.clock.since();
  log.say(
    `registry outage ${number}/${run.options.registryOutages}: stopping the schema registry for ${plan.downMs} ms`,
  );
  const from = Date.now();
  await stackOrThrow(logDir, ['stop', 'registry']);
  try {
    await lifetime.sleep(plan.downMs);
  } finally {
    await stackOrThrow(logDir, ['start', 'registry']);
  }
  const backMs = Date.now() - from;
  records.faults.push({
    kind: 'registry-outage',
    at,
    target: 'schema-registry',
    durationMs: backMs,
    outcome: `down ${plan.downMs} ms, answering again after ${seconds(backMs)}`,
  });
  log.say(`registry outage ${number}: the registry answers again after ${seconds(backMs)}`);
}
