/**
 * A planned broker restart: `npm run stack -- restart kafka` while every service keeps running;
 * then every instance must become ready again by itself (no restart) within 150 s.
 */
import { appendFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from '../../scripts/support/service-processes.ts';
import type { ChaosRun } from '../chaos-run.ts';
import type { Disruption } from '../checks/check-result.ts';
import { type Cluster, serviceNames } from '../cluster.ts';
import { seconds } from '../event-log.ts';
import type { BrokerRecord } from '../run-records.ts';
import { runStack } from './stack-commands.ts';

/** What each instance's /health/ready answers (or why it did not answer). */
async function describeNotReady(cluster: Cluster, labels: readonly string[]): Promise<string[]> {
  return Promise.all(
    labels.map(async (label) => {
      const instance = cluster.get(label);
      try {
        const response = await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
        return `${label}: ${response.status} ${await response.text()}`;
      } catch (error) {
        return `${label}: ${(error as Error).message}`;
      }
    }),
  );
}

/** Rejects when the broker cannot be restarted: that ends the run. */
export async function brokerRestartEvent(run: ChaosRun, number: number): Promise<void> {
  const { cluster, records, faults, log } = run;
  const { logDir } = run.identity;
  log.say(
    `broker restart ${number}/${run.options.brokerRestarts}: npm run stack -- restart kafka (services keep running)`,
  );
  const exitsBefore = cluster.unexpectedExits.length;
  const generations = new Map(cluster.instances.map((i) => [i.label, i.starts]));
  const from = Date.now();
  const disruption: Disruption = {
    what: `broker restart ${number}`,
    services: [...serviceNames],
    from,
    to: null,
  };
  records.disruptions.push(disruption);
  const restart = runStack(['restart', 'kafka']);
  faults.restartingBroker = restart;
  const { code, output } = await restart;
  faults.restartingBroker = null;
  appendFileSync(join(logDir, 'stack-restart.log'), output);
  const restartMs = Date.now() - from;
  if (code !== 0) {
    records.findings.push(
      `broker restart ${number} failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' | ')}`,
    );
    throw new Error(
      `the Kafka broker could not be restarted (exit ${code}); see ${logDir}/stack-restart.log`,
    );
  }
  log.say(`broker restart ${number}: broker answering again after ${seconds(restartMs)}`);
  const record: BrokerRecord = { at: run.clock.since(), restartMs, allReadyAfterMs: null, exitsDuring: 0 };
  records.brokerRestarts.push(record);
  // Every instance must become ready again by itself (no restart): consumer rejoined, relay healthy.
  // Each one on its own (kills elsewhere keep groups rebalancing, so "all at once" may never happen),
  // counting only probes from 10 s after the broker is back (a consumer notices the outage on its
  // next heartbeat, so an earlier "ready" may be stale). Instances killed since the restart began
  // are their kill's business.
  const readyFrom = Date.now();
  const recovered = new Map<string, number>();
  const unchanged = () => cluster.instances.filter((i) => i.starts === generations.get(i.label));
  let notReady: string[] = [];
  while (Date.now() - readyFrom < 150_000) {
    notReady = unchanged()
      .filter((i) => !recovered.has(i.label))
      .map((i) => i.label);
    if (notReady.length === 0) break;
    if (Date.now() - readyFrom >= 10_000) {
      await Promise.all(
        notReady.map(async (label) => {
          if (await cluster.probe(cluster.get(label), '/health/ready'))
            recovered.set(label, Date.now() - readyFrom);
        }),
      );
    }
    await run.lifetime.sleep(500);
  }
  record.exitsDuring = cluster.unexpectedExits.length - exitsBefore;
  disruption.to = Date.now();
  if (notReady.length === 0) {
    record.allReadyAfterMs = Math.max(0, ...recovered.values());
    log.say(
      `broker restart ${number}: every instance ready again by itself within ${seconds(record.allReadyAfterMs)} (${recovered.size} checked, ${cluster.instances.length - recovered.size} restarted by kills meanwhile)`,
    );
  } else {
    const bodies = await describeNotReady(cluster, notReady);
    records.findings.push(
      `after broker restart ${number}, not ready within 150 s without a restart: ${bodies.join('; ')} (logs ${relative(repoRoot, logDir)})`,
    );
    log.say(`broker restart ${number}: NOT READY after 150 s: ${bodies.join('; ')}`);
  }
}
