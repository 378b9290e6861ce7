/**
 * Setting a run up and tearing it down: its database, topics and service instances, and on the way
 * out (whatever happened) every instance stopped and what the run created removed — the database
 * is kept when there is something to diagnose (violations or a failed run).
 */
import { createDatabase, type Knex } from '../lib/db/database.ts';
import type { ChaosRun } from './chaos-run.ts';
import { createTopics, deleteTopicsAndGroups, dropDatabase, freshDatabase } from './environment.ts';
import { OrderMonitor } from './order-monitor.ts';

/** What setup created that the teardown must release (filled in as setup goes). */
export interface RunResources {
  databaseCreated: boolean;
  db: Knex | null;
  monitor: OrderMonitor | null;
}

export async function setUp(
  run: ChaosRun,
  resources: RunResources,
): Promise<{ db: Knex; monitor: OrderMonitor }> {
  const { cluster, log } = run;
  const { env } = run.identity;
  for (const instance of cluster.instances) {
    if (await cluster.probe(instance, '/health/live'))
      throw new Error(
        `port ${instance.port} (${instance.label}) is taken by another process: use --base-port`,
      );
  }
  if (run.privatePg) {
    await run.privatePg.ensureRunning();
    log.say(`private PostgreSQL cluster on port ${run.privatePg.port} (${run.privatePg.dataDir})`);
  }
  await freshDatabase(env);
  resources.databaseCreated = true;
  await createTopics(env);
  await run.network?.up();
  log.say(
    `database and ${env.partitions}-partition topics ready; starting ${cluster.instances.length} service instances`,
  );
  await Promise.race([cluster.startAll(180_000), run.lifetime.interruption()]);
  const db = createDatabase(env.databaseUrl, { poolMax: 3 });
  resources.db = db;
  const monitor = new OrderMonitor(db);
  resources.monitor = monitor;
  monitor.start();
  log.say(`every instance ready: ${cluster.instances.map((i) => `${i.label}:${i.port}`).join(' ')}`);
  return { db, monitor };
}

export async function tearDown(run: ChaosRun, resources: RunResources, exitCode: number): Promise<void> {
  const { cluster, log, faults, lifetime, options } = run;
  const { env, runId, checkGroupId } = run.identity;
  if (!lifetime.aborted) lifetime.abort();
  await resources.monitor?.stop();
  if (faults.restartingBroker) {
    console.error('chaos: waiting for the broker restart in progress to finish');
    await faults.restartingBroker;
  }
  log.say('stopping every service instance');
  await cluster.stopAll();
  await run.network
    ?.down()
    .catch((error: unknown) =>
      console.error(`chaos: network namespaces not all removed: ${(error as Error).message}`),
    );
  await resources.db?.destroy();
  if (!options.keep) {
    await deleteTopicsAndGroups(env, [checkGroupId, ...run.records.extraGroups]).catch((error: unknown) =>
      console.error(`chaos: could not delete the topics/groups of ${runId}: ${(error as Error).message}`),
    );
    // kept only when there is something to diagnose (violations or a failed run)
    if (exitCode === 0 || exitCode === 130) await dropDatabase(env).catch(() => undefined);
    else if (resources.databaseCreated)
      console.error(`chaos: database ${env.databaseName} kept for diagnosis`);
  } else {
    console.error(
      `chaos: --keep: database ${env.databaseName}, topics ${env.topicPrefix}* and groups *${env.groupIdSuffix} kept`,
    );
  }
  // the private cluster stays up while it holds a database kept for diagnosis
  if (run.privatePg && (options.keep || !(exitCode === 0 || exitCode === 130)))
    console.error(`chaos: private PostgreSQL left running on port ${run.privatePg.port}`);
  else
    await run.privatePg
      ?.stop()
      .catch((error: unknown) => console.error(`chaos: ${(error as Error).message}`));
  log.say(`done in ${log.elapsed()} (exit ${exitCode})`);
}
