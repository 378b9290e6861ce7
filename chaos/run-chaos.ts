/**
 * `npm run chaos -- [--seed N] [--orders N] [--kills N] [--broker-restarts N] [--instances 2] …`
 *
 * Runs N instances of every service in the same consumer groups, on a database, topics and consumer
 * groups of its own, drives a seeded mix of orders through the HTTP API (paced over --duration-s),
 * kills service instances with SIGKILL and restarts the Kafka broker at seeded moments, silences one
 * participant for one command in seeded windows, waits for quiescence and checks the saga's
 * invariants. Exit code 0 only without violations (1 with, 2 on a usage error, 130 when
 * interrupted). chaos/README.md explains every choice; this file runs the phases in order.
 */
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { localKafkaAdminConnection } from '../scripts/support/kafka-env.ts';
import {
  ensureLocalStackOrExit,
  localStackBrokers,
  localStackStateDir,
} from '../scripts/support/local-stack.ts';
import { repoRoot } from '../scripts/support/service-processes.ts';
import type { ChaosRun } from './chaos-run.ts';
import { checkRun } from './check-phase.ts';
import { Cluster } from './cluster.ts';
import { DriveClock } from './drive-clock.ts';
import { drive, orderFlowOf } from './drive-phase.ts';
import { EventLog, seconds } from './event-log.ts';
import { FaultState } from './faults/fault-state.ts';
import { NetUnavailable, netPrerequisiteError, runNetwork } from './net/run-network.ts';
import {
  type ChaosOptions,
  compensationBudgetMs,
  forwardBudgetMs,
  parseOptions,
  reproduceCommand,
  UsageError,
  usage,
} from './options.ts';
import { regularMix } from './order-mix.ts';
import { PrivatePostgres } from './private-postgres.ts';
import { waitForQuiescence } from './quiescence.ts';
import { runIdentity, serviceEnvironment } from './run-identity.ts';
import { Aborted, RunLifetime } from './run-lifetime.ts';
import { planRun } from './run-plan.ts';
import { runRecord, writeRunRecord } from './run-record.ts';
import { RunRecords } from './run-records.ts';
import { reportSummary, violationCount, writeReport } from './run-report.ts';
import { type RunResources, setUp, tearDown } from './run-setup.ts';

// ---------------------------------------------------------------------------------------------
// options, identity of the run, output

let options: ChaosOptions;
try {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    console.log(usage());
    process.exit(0);
  }
  options = parseOptions(process.argv.slice(2), () => Math.floor(Math.random() * 1_000_000));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`chaos: ${error.message}\n${usage()}`);
    process.exit(2);
  }
  throw error;
}
const o = options;
const netMissing = netPrerequisiteError(o);
if (netMissing !== null) {
  console.error(`chaos: ${netMissing}`);
  process.exit(2);
}
// Idempotent and quick when the stack is up; SKIP_STACK=1 to use infrastructure you run yourself.
// --brokers 3 starts (or reuses) the three-broker cluster; its brokers are the stack's.
ensureLocalStackOrExit(
  (message) => console.error(`chaos: ${message}`),
  o.brokers === 3 ? ['--brokers', '3'] : [],
);
const kafkaConnection = localKafkaAdminConnection();
if (o.brokers === 3 && process.env.SKIP_STACK !== '1') {
  const brokers = localStackBrokers();
  if (brokers === null || brokers.length !== 3) {
    console.error(`chaos: --brokers 3, but the local stack runs ${brokers?.join(',') ?? 'no broker'}`);
    process.exit(2);
  }
  kafkaConnection.brokers = brokers;
}
const privatePg = o.privatePg > 0 ? new PrivatePostgres(o.privatePg, localStackStateDir()) : null;
const startedAt = Date.now();
const identity = runIdentity({
  options: o,
  startedAt,
  repoRoot,
  processEnv: privatePg ? { ...process.env, CHAOS_DATABASE_URL: privatePg.url } : process.env,
  kafka: kafkaConnection,
});
const { runId, logDir, env } = identity;
mkdirSync(logDir, { recursive: true });
const log = new EventLog(join(logDir, 'events.log'), startedAt);
let network: ChaosRun['network'];
try {
  network = runNetwork(o, env, process.env, log.say);
} catch (error) {
  if (!(error instanceof NetUnavailable)) throw error;
  console.error(`chaos: ${error.message}`);
  process.exit(2);
}
// a second Ctrl-C exits at once: the namespaces go with the process (teardown removes them otherwise)
process.on('exit', () => network?.downSync());
const lifetime = new RunLifetime();
const run: ChaosRun = {
  options: o,
  plan: planRun(o),
  identity,
  command: reproduceCommand(o),
  log,
  lifetime,
  clock: new DriveClock(lifetime),
  cluster: new Cluster({
    instances: o.instances,
    basePort: o.basePort,
    env: serviceEnvironment(o, env, process.env),
    logDir,
    onEvent: log.say,
    launcher: network?.launcher,
  }),
  records: new RunRecords(),
  faults: new FaultState(),
  network,
  privatePg,
};
const { plan, cluster, records } = run;

// ---------------------------------------------------------------------------------------------
// interruption: the first Ctrl-C (or SIGTERM) stops and cleans up, a second kills at once

let interrupted = false;
const onSignal = (name: string) => {
  if (interrupted) {
    console.error(`chaos: second ${name}: killing every service instance now`);
    cluster.killAllNow();
    process.exit(130);
  }
  interrupted = true;
  cluster.markStopping();
  console.error(`\nchaos: ${name}: stopping and cleaning up (again to kill at once)`);
  lifetime.abort();
};
process.on('SIGINT', () => onSignal('SIGINT'));
process.on('SIGTERM', () => onSignal('SIGTERM'));

// ---------------------------------------------------------------------------------------------
// the phases: setup, drive, quiescence, checks, report; teardown whatever happened

let exitCode = 1;
const resources: RunResources = { databaseCreated: false, db: null, monitor: null };
log.say(`seed ${o.seed}; reproduce with: ${run.command}`);
log.say(
  `run ${runId}: database ${env.databaseName}, topics ${env.topicPrefix}*, groups *${env.groupIdSuffix}, ports ${o.basePort}+, logs ${relative(repoRoot, logDir)}/`,
);
log.say(
  `plan: ${o.orders} orders over ${o.durationS}s (${plan.regularCount} regular: ${Object.keys(regularMix)
    .map((k) => `${plan.regularKinds.filter((x) => x === k).length} ${k}`)
    .join(
      ', ',
    )}; ${plan.windows} silent windows × ${o.silentOrders}), ${o.kills} kills, ${o.brokerRestarts} broker restarts, ${o.instances} instances per service`,
);
log.say(
  `${o.brokers} broker(s) (${identity.env.brokers.join(',')}, replication factor ${identity.env.replicationFactor}); faults: ${o.brokerKills} broker kills, ${o.pgRestarts} postgres restarts${privatePg ? ` (private cluster :${privatePg.port})` : ''}, ${o.registryOutages} registry outages, ${o.pauses} pauses, ${o.duplicates} duplicates per topic, ${o.compensationFaults} compensation-fault windows`,
);
log.say(
  `saga deadlines: step ${o.stepTimeoutMs} ms ×${o.backoffMultiplier} (max ${o.maxStepTimeoutMs} ms): ${o.forwardAttempts} forward attempts = ${seconds(forwardBudgetMs(o))}, ${o.compensationAttempts} compensation attempts = ${seconds(compensationBudgetMs(o))}`,
);
try {
  const { db, monitor } = await records.phase('setup', () => setUp(run, resources));
  const { flow, driver } = orderFlowOf(run, monitor);
  await records.phase('drive', () => drive(run, flow, monitor));
  log.say(
    `every order placed (${driver.retriedPosts} POSTs retried with the same Idempotency-Key); waiting for quiescence`,
  );
  await records.phase('quiescence', () => waitForQuiescence(run, db));
  const results = await records.phase('checks', async () => {
    await monitor.stop();
    return checkRun(run, db, flow.placed);
  });

  const summary = reportSummary({
    results,
    placed: flow.placed,
    records,
    total: log.elapsed(),
    seed: o.seed,
    command: run.command,
    logs: relative(repoRoot, logDir),
  });
  console.log(summary);
  writeReport(logDir, summary, {
    runId,
    options: o,
    command: run.command,
    results,
    killRecords: records.kills,
    brokerRecords: records.brokerRestarts,
    windowRecords: records.windows,
    disruptions: records.disruptions,
    faultRecords: records.faults,
    timings: records.timings,
  });
  const recordFile = writeRunRecord(
    process.env.CHAOS_RECORDS_DIR || join(repoRoot, 'chaos', 'records'),
    runRecord({
      runId,
      startedAt,
      command: run.command,
      options: o,
      orders: flow.placed.length,
      records,
      results,
    }),
  );
  console.log(`run record: ${relative(repoRoot, recordFile)}`);
  exitCode = violationCount(results) === 0 ? 0 : 1;
} catch (error) {
  if (lifetime.failure !== null) {
    console.error(`chaos: run failed: ${(lifetime.failure as Error).stack ?? String(lifetime.failure)}`);
    exitCode = 1;
  } else if (error instanceof Aborted || lifetime.aborted) {
    console.error(`chaos: interrupted after ${log.elapsed()}; no verdict`);
    exitCode = 130;
  } else {
    console.error(`chaos: run failed: ${(error as Error).stack ?? String(error)}`);
    exitCode = 1;
  }
} finally {
  await tearDown(run, resources, exitCode);
}
process.exit(exitCode);
