/**
 * A planned PostgreSQL restart: the run's private cluster (`--private-pg`) restarted with `pg_ctl
 * restart -m fast`, or — only with --allow-machine-pg-restart — the machine's server with
 * `pg_ctlcluster <version> main restart`. Every connection of every service is cut: they must wait
 * it out and go on (no exit, nothing lost or applied twice). A disruption of every service.
 */
import { execFile } from 'node:child_process';
import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';
import type { ChaosRun } from '../chaos-run.ts';
import type { Disruption } from '../checks/check-result.ts';
import { serviceNames } from '../cluster.ts';
import { seconds } from '../event-log.ts';
import { postgresBinDir } from '../private-postgres.ts';

async function restartMachinePostgres(): Promise<void> {
  const bin = postgresBinDir();
  if (bin === null) throw new Error('no PostgreSQL in /usr/lib/postgresql to restart');
  const version = basename(dirname(bin));
  await promisify(execFile)('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], {
    timeout: 120_000,
  });
}

/** Rejects when PostgreSQL cannot be restarted: that ends the run. */
export async function pgRestartEvent(run: ChaosRun, number: number): Promise<void> {
  const { records, log, privatePg } = run;
  const target = privatePg ? `private cluster :${privatePg.port}` : "the machine's server";
  const at = run.clock.since();
  log.say(
    `postgres restart ${number}/${run.options.pgRestarts}: restarting ${target} (services keep running)`,
  );
  const from = Date.now();
  const disruption: Disruption = {
    what: `postgres restart ${number}`,
    services: [...serviceNames],
    from,
    to: null,
  };
  records.disruptions.push(disruption);
  if (privatePg) await privatePg.restart();
  else await restartMachinePostgres();
  const restartMs = Date.now() - from;
  log.say(`postgres restart ${number}: accepting connections again after ${seconds(restartMs)}`);
  // every instance ready again by itself (pools reconnect)
  let notReady: string[] = [];
  const readyFrom = Date.now();
  while (Date.now() - readyFrom < 120_000 && !run.lifetime.aborted) {
    notReady = (await run.cluster.notReady()).filter((label) => !run.faults.down.has(label));
    if (notReady.length === 0) break;
    await run.lifetime.sleep(500);
  }
  disruption.to = Date.now();
  if (notReady.length > 0)
    records.findings.push(`after postgres restart ${number}, not ready within 120 s: ${notReady.join(', ')}`);
  records.faults.push({
    kind: 'pg-restart',
    at,
    target,
    durationMs: restartMs,
    outcome:
      notReady.length === 0
        ? `every instance ready ${seconds(Date.now() - readyFrom)} after`
        : `not ready: ${notReady.join(', ')}`,
  });
}
