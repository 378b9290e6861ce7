/**
 * A planned broker kill (three brokers): `kill -9` of one node, started again after its down time,
 * while every service keeps running. The two others keep every partition writable
 * (min.insync.replicas=2): no order may be refused for it and no saga may time out because of it,
 * so it is not a disruption the outcome check would excuse. One broker event at a time (fault-lane.ts).
 */
import type { ChaosRun } from '../chaos-run.ts';
import { seconds } from '../event-log.ts';
import type { BrokerKillPlan } from './fault-plans.ts';
import { stackOrThrow } from './stack-commands.ts';

export const nodeComponent = (node: number): string => (node === 1 ? 'kafka' : `kafka-${node}`);

/** Rejects when the broker cannot be started again: that ends the run. */
export async function brokerKillEvent(run: ChaosRun, plan: BrokerKillPlan, number: number): Promise<void> {
  const { records, faults, log, lifetime } = run;
  const { logDir } = run.identity;
  const component = nodeComponent(plan.node);
  const at = run.clock.since();
  log.say(
    `broker kill ${number}/${run.options.brokerKills}: kill -9 ${component}, back in ${plan.downMs} ms (services keep running)`,
  );
  const from = Date.now();
  const work = (async () => {
    await stackOrThrow(logDir, ['kill', component]);
    await lifetime.sleep(plan.downMs).catch(() => undefined);
    await stackOrThrow(logDir, ['start', component]);
  })();
  faults.restartingBroker = work;
  try {
    await work;
  } finally {
    faults.restartingBroker = null;
  }
  const backMs = Date.now() - from;
  records.faults.push({
    kind: 'broker-kill',
    at,
    target: component,
    durationMs: backMs,
    outcome: `down ${plan.downMs} ms, answering again after ${seconds(backMs)}`,
  });
  log.say(`broker kill ${number}: ${component} answering again after ${seconds(backMs)}`);
}
