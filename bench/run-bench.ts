/**
 * `npm run bench`: how many 3-step sagas per second the system sustains on this machine, at what
 * latency and CPU cost, compared with what the broker and the database allow (docs/performance.md).
 *
 * 1. Starts the four services isolated from everything else: their own database, topics
 *    (TOPIC_PREFIX), consumer groups and ports, and deadlines that never fire under load.
 * 2. Drives POST /orders open loop at fixed rates, then closed loop at rising concurrency; a saga's
 *    latency runs from its POST to its terminal event on `order-events`. Measures each process's
 *    CPU and kernel work (/proc), the services' RSS, the database's commits and the server's WAL.
 * 3. Stops the services and measures the ceilings on the same broker and database
 *    (support/echo-ceiling.ts, support/db-ceiling.ts).
 * 4. Prints the tables, writes bench-results/<timestamp>.json and the command that reproduces it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, getPriority, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createAvroCodec } from '../lib/avro/codec.ts';
import { loadEndpoints } from '../lib/config/common-config.ts';
import { dropDatabase } from '../lib/db/database.ts';
import { baseTopics, deadLetterTopicOf, topicsWithPrefix } from '../lib/kafka/topics.ts';
import { ensureLocalStackOrExit } from '../scripts/support/local-stack.ts';
import {
  repoRoot,
  type ServiceProcess,
  stopService,
  waitUntilReady,
} from '../scripts/support/service-processes.ts';
import { type CpuSpeed, measureCpuSpeed } from './support/cpu-speed.ts';
import { type DbCeiling, measureDbCeiling } from './support/db-ceiling.ts';
import { type EchoCeiling, measureEchoCeiling } from './support/echo-ceiling.ts';
import {
  benchKafka,
  benchServiceEnv,
  createTopics,
  deleteTopics,
  freshDatabase,
  messagesIn,
  serviceNames,
  startBenchService,
  withDatabaseUrlName,
} from './support/environment.ts';
import { cpuBudget, judgeGoals, nextRefinementRate, REFINE_GRANULARITY } from './support/goals.ts';
import {
  type LoadContext,
  type LoadPointResult,
  OrderClient,
  runClosedLoop,
  runOpenLoop,
} from './support/load.ts';
import { parseOptions, parseOrExit, reproduceCommand } from './support/options.ts';
import { OrderEventsTracker } from './support/order-events.ts';
import { PostgresWatcher, walPerSaga } from './support/postgres-stats.ts';
import {
  commandLineOf,
  type ProcessGroups,
  perSaga,
  pidFromFile,
  RssSampler,
  round,
  snapshot,
  usageBetween,
} from './support/proc-stats.ts';
import {
  formatProfile,
  type ProfileSummary,
  profileIn,
  summariseCpuProfile,
  summariseHeapProfile,
} from './support/profiles.ts';
import { type BenchResults, formatTable, type MeasuredPoint, pointLabel } from './support/report.ts';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const options = parseOrExit(parseOptions, process.argv.slice(2));
// Idempotent and quick when the stack is up; SKIP_STACK=1 to use infrastructure you run yourself.
ensureLocalStackOrExit(log);

const startedAt = new Date();
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const jsonPath = resolve(
  repoRoot,
  options.json ?? join('bench-results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
);
const command = reproduceCommand(options, relative(repoRoot, jsonPath));
const endpoints = loadEndpoints();
const databaseUrl =
  process.env.BENCH_DATABASE_URL ?? withDatabaseUrlName(endpoints.databaseUrl, 'order_saga_bench');
const databaseName = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
const ceilingDatabaseUrl = withDatabaseUrlName(databaseUrl, `${databaseName}_ceiling`);
const topicPrefix = `bench-${runId}.`;
const logDir = join(repoRoot, '.stack', 'bench-logs', runId);
// The stack's pid files, as scripts/stack.sh keeps them (bench:ab sets ORDER_SAGA_STATE for runs of
// another checkout, whose stack is this one's).
const stackRun = join(process.env.ORDER_SAGA_STATE || join(repoRoot, '.stack'), 'run');
const serviceEnv = benchServiceEnv({
  topicPrefix,
  databaseUrl,
  runId,
  basePort: options.basePort,
  extra: options.env,
});

const services: ServiceProcess[] = [];
/** Each service's command line as it ran (/proc), read once it was ready. */
let commandLines: Record<string, string[] | null> = {};
let topicsCreated = false;
/** The watcher of the database being measured: the run's, then the database ceiling's. */
let postgres: PostgresWatcher | null = null;
const infraPids = () => ({
  kafka: pidFromFile(join(stackRun, 'kafka.pid')),
  registry: pidFromFile(join(stackRun, 'registry.pid')),
});
const servicePids = () =>
  new Map(services.flatMap((s) => (s.child.pid ? [[s.name, s.child.pid] as const] : [])));
const processGroups: ProcessGroups = () =>
  new Map([
    ...[...servicePids()].map(([name, pid]): [string, number[]] => [name, [pid]]),
    ...Object.entries(infraPids()).map(([name, pid]): [string, number[]] => [
      name,
      pid === null ? [] : [pid],
    ]),
    ...(postgres?.groups() ?? []),
  ]);

async function startServices(): Promise<void> {
  const profileFlags = (name: string) => [
    ...options.nodeFlags,
    // One directory per service: the tsx loader's worker thread writes a profile of its own.
    ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(logDir, 'profiles', name)}`] : []),
    // The sampler is TypeScript: tsx first (importing it again later is a no-op).
    ...(options.heapProfile
      ? ['--import', 'tsx', '--import', join(repoRoot, 'bench/support/heap-sampler.ts')]
      : []),
  ];
  // coreutils' nice adjusts the bench's own niceness: the adjustment that gives the asked-for value.
  const nice = options.orchestratorNice === 0 ? 0 : options.orchestratorNice - getPriority();
  for (const name of serviceNames) {
    const env = options.heapProfile
      ? { ...serviceEnv, BENCH_HEAP_PROFILE_DIR: join(logDir, 'heap-profiles', name) }
      : serviceEnv;
    services.push(
      startBenchService(name, env, logDir, profileFlags(name), name === 'orchestrator' ? nice : 0),
    );
  }
  await Promise.all(services.map((s) => waitUntilReady(s, 120_000)));
  commandLines = Object.fromEntries(
    services.map((s) => [s.name, s.child.pid ? commandLineOf(s.child.pid) : null]),
  );
  // nice runs the command even when it may not set the niceness (a negative one needs root): check.
  const orchestratorPid = servicePids().get('orchestrator');
  if (
    options.orchestratorNice !== 0 &&
    (orchestratorPid === undefined || getPriority(orchestratorPid) !== options.orchestratorNice)
  )
    throw new Error(
      `the orchestrator does not run at niceness ${options.orchestratorNice}: below the bench's own it needs root or CAP_SYS_NICE`,
    );
}

async function measurePoint(run: () => Promise<LoadPointResult>, label: string): Promise<MeasuredPoint> {
  const watcher = postgres as PostgresWatcher;
  await watcher.refresh();
  const [commitsBefore, walBefore, before] = [
    await watcher.commits(),
    await watcher.wal(),
    snapshot(processGroups),
  ];
  const rss = new RssSampler(servicePids).start();
  const result = await run();
  await watcher.refresh();
  const cpu = usageBetween(before, snapshot(processGroups));
  const [commits, walAfter] = [(await watcher.commits()) - commitsBefore, await watcher.wal()];
  const sustained =
    result.errors.total === 0 && result.refused === 0 && (result.latencyMs?.p99 ?? Infinity) <= 1000;
  const l = result.latencyMs;
  log(
    `${label}: ${result.completed}/${result.sent} sagas, ${result.sagasPerS}/s, p50 ${l?.p50 ?? '-'} p99 ${l?.p99 ?? '-'} max ${l?.max ?? '-'} ms, errors ${result.errors.total}, refused (429) ${result.refused}${sustained ? '' : ' (not sustained)'}, machine ${cpu.machineBusyPercent}% busy`,
  );
  for (const sample of result.errors.samples.slice(0, 3)) log(`  error: ${sample}`);
  return {
    ...result,
    sustained,
    cpu,
    perSaga: perSaga(cpu, result.completed),
    db: {
      xactCommit: commits,
      xactPerS: Math.round(commits / cpu.wallSeconds),
      xactPerSaga: result.completed > 0 ? round(commits / result.completed, 2) : null,
    },
    wal: walPerSaga(walBefore, walAfter, result.completed),
    rssKb: rss.stop(),
    ratioToCeiling: null,
  };
}

/** Runs every load point against the services; returns what the results need of the load. */
async function measureLoad(codec: ReturnType<typeof createAvroCodec>) {
  const tracker = new OrderEventsTracker({
    kafka: benchKafka('bench-driver'),
    codec,
    topic: `${topicPrefix}${baseTopics.orderEvents}`,
    groupId: `bench-driver-${runId}`,
  });
  await tracker.start();
  const client = new OrderClient(`http://127.0.0.1:${options.basePort}`);
  let orderNumber = 0;
  const ctx: LoadContext = {
    client,
    tracker,
    mixed: options.mixed,
    runId,
    nextOrderNumber: () => orderNumber++,
  };
  const memory = new RssSampler(servicePids).start(2_000);
  const points: MeasuredPoint[] = [];
  const skippedRates: number[] = [];
  const refinedRates: number[] = [];
  /** Before a point: the sagas the previous one gave up on finish first (30 s without progress at most). */
  const settle = async () => {
    const started = performance.now();
    if (tracker.abandoned > 0) log(`waiting for ${tracker.abandoned} sagas of the previous point to finish…`);
    while (
      tracker.abandoned > 0 &&
      performance.now() - Math.max(started, tracker.lastAbandonedArrivalAt) < 30_000
    )
      await sleep(250);
    if (tracker.abandoned > 0) log(`${tracker.abandoned} sagas still unfinished; going on`);
  };
  const open = async (rate: number, what = '') => {
    await settle();
    log(`open loop ${rate}/s for ${options.durationS} s${what}…`);
    const run = () => runOpenLoop(ctx, { rate, durationS: options.durationS, drainS: options.drainS });
    points.push(await measurePoint(run, pointLabel({ kind: 'open', target: rate })));
    return points[points.length - 1] as MeasuredPoint;
  };

  if (options.warmupS > 0) {
    const rate = Math.min(100, options.rates[0] ?? 100);
    log(`warm-up: ${rate}/s for ${options.warmupS} s (not recorded)`);
    const warm = await runOpenLoop(ctx, { rate, durationS: options.warmupS, drainS: options.drainS });
    if (warm.errors.total > 0)
      log(`warm-up had ${warm.errors.total} errors: ${warm.errors.samples[0] ?? ''}`);
  }
  const loadWindow = { fromUs: monotonicUs(), toUs: 0 };
  let overloadedAt: number | null = null;
  for (const rate of options.rates) {
    if (overloadedAt !== null && !options.keepGoing) skippedRates.push(rate);
    else if ((await open(rate)).windowSagasPerS < 0.7 * rate) overloadedAt ??= rate;
  }
  if (skippedRates.length > 0)
    log(
      `skipped rates ${skippedRates.join(', ')}: ${overloadedAt}/s was already beyond capacity (--keep-going runs them)`,
    );
  for (let i = 0; i < options.refine; i++) {
    const rate = nextRefinementRate(points.filter((p) => p.kind === 'open'));
    if (rate === null) {
      log(
        i === 0
          ? 'nothing to refine: no rate was sustained, or none above the highest sustained one failed'
          : `refinement ends after ${i} point(s): the gap is down to ${REFINE_GRANULARITY}/s`,
      );
      break;
    }
    await open(rate, ` (refinement ${i + 1} of ${options.refine})`);
    refinedRates.push(rate);
  }
  for (const concurrency of options.concurrency) {
    await settle();
    log(`closed loop, concurrency ${concurrency}, for ${options.durationS} s…`);
    const run = () =>
      runClosedLoop(ctx, { concurrency, durationS: options.durationS, drainS: options.drainS });
    points.push(await measurePoint(run, pointLabel({ kind: 'closed', target: concurrency })));
  }
  loadWindow.toUs = monotonicUs();
  client.close();
  await tracker.stop();
  if (tracker.decodeFailures.length > 0)
    throw new Error(`undecodable order events: ${tracker.decodeFailures.join('; ')}`);
  const deadLetters = await messagesIn(
    Object.values(baseTopics).map((t) => deadLetterTopicOf(`${topicPrefix}${t}`)),
  );
  return {
    points,
    skippedRates,
    refinedRates,
    memory: memory.stop(),
    eventsSeen: Object.fromEntries(tracker.countsByType),
    deadLetters,
    orders: orderNumber,
    loadWindow,
  };
}

/** The services' profiles, written when they stopped: CPU under load only, allocations over their life. */
function summariseProfiles(loadWindow: { fromUs: number; toUs: number }) {
  const profiles: ProfileSummary[] = [];
  const heapProfiles: ProfileSummary[] = [];
  for (const name of serviceNames) {
    // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread
    const cpuFile = options.profile
      ? profileIn(join(logDir, 'profiles', name), /\.\d+\.0\.\d+\.cpuprofile$/)
      : null;
    if (cpuFile) profiles.push(summariseCpuProfile(name, cpuFile, loadWindow.fromUs, loadWindow.toUs));
    const heapFile = options.heapProfile
      ? profileIn(join(logDir, 'heap-profiles', name), /\.heapprofile$/)
      : null;
    if (heapFile) heapProfiles.push(summariseHeapProfile(name, heapFile));
    else if (options.heapProfile) log(`no heap profile from ${name}`);
  }
  return { profiles, heapProfiles };
}

async function measureCeilings(
  codec: ReturnType<typeof createAvroCodec>,
): Promise<{ echo: EchoCeiling; db: DbCeiling }> {
  log(`broker ceiling: kafkajs echo, windows ${options.echoWindows.join(', ')}, ${options.ceilingS} s each…`);
  const echoOptions = {
    runId,
    partitions: options.partitions,
    seconds: options.ceilingS,
    windows: options.echoWindows,
  };
  const echo = await measureEchoCeiling({ ...echoOptions, groups: processGroups });
  log(`broker ceiling: ${echo.roundTripsPerS} round trips/s → ${echo.sagasPerS} sagas/s`);
  log(`database ceiling: the services' transactions on ${databaseName}_ceiling for ${options.ceilingS} s…`);
  await freshDatabase(ceilingDatabaseUrl);
  const watcher = new PostgresWatcher(ceilingDatabaseUrl);
  const previous = postgres;
  try {
    await watcher.connect();
    postgres = watcher;
    const db = await measureDbCeiling({
      ...echoOptions,
      databaseUrl: ceilingDatabaseUrl,
      codec,
      watcher,
      groups: processGroups,
    });
    log(`database ceiling: ${db.sagasPerS} sagas/s (${db.transactionsPerS} commits/s)`);
    return { echo, db };
  } finally {
    postgres = previous;
    await watcher.close();
    await dropDatabase(ceilingDatabaseUrl);
  }
}

let exitCode = 0;
try {
  log(`run ${runId}; results will go to ${relative(repoRoot, jsonPath)}`);
  const codec = createAvroCodec({ registryUrl: endpoints.schemaRegistryUrl });
  await codec.registerAll();
  await freshDatabase(databaseUrl);
  postgres = new PostgresWatcher(databaseUrl);
  await postgres.connect();
  let load: Awaited<ReturnType<typeof measureLoad>> | null = null;
  let cpuSpeed: { atStart: CpuSpeed; atEnd: CpuSpeed } | null = null;
  if (options.rates.length + options.concurrency.length > 0) {
    const atStart = measureCpuSpeed();
    log(
      `machine speed: ${atStart.kops} kops/s (${atStart.minKops}–${atStart.maxKops}; support/cpu-speed.ts)`,
    );
    log(`fresh database ${databaseName}, topics ${topicPrefix}* (${options.partitions} partitions)`);
    topicsCreated = true;
    await createTopics(topicsWithPrefix(topicPrefix), options.partitions, topicPrefix);
    log(
      `starting the four services on ports ${options.basePort}-${options.basePort + 3} (logs: ${relative(repoRoot, logDir)})`,
    );
    await startServices();
    load = await measureLoad(codec);
    // Stopped before the ceilings: the broker and the database get the machine to themselves.
    log('stopping the services');
    await Promise.all(services.map((s) => stopService(s)));
    cpuSpeed = { atStart, atEnd: measureCpuSpeed() };
  }
  const { profiles, heapProfiles } = load
    ? summariseProfiles(load.loadWindow)
    : { profiles: [], heapProfiles: [] };
  // The services' backends flushed their statistics as they ended.
  await sleep(500);
  const rows = load ? await postgres.rowsWritten() : {};
  const ceilings = options.ceilingS > 0 ? await measureCeilings(codec) : null;

  const ceiling = ceilings ? Math.min(ceilings.echo.sagasPerS, ceilings.db.sagasPerS) : null;
  const points = load?.points ?? [];
  for (const point of points) point.ratioToCeiling = ceiling ? round(point.sagasPerS / ceiling, 2) : null;
  const judged = judgeGoals(points, ceiling, options.rates);
  const best = points.find((p) => p.sagasPerS === judged.bestSagasPerS);
  const results: BenchResults = {
    version: 2,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command,
    host: {
      cpus: cpus().length,
      memoryMb: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      loadAverage: loadavg().map((v) => round(v, 2)),
      cpuSpeed,
    },
    options,
    system: {
      topicPrefix,
      databaseUrl,
      serviceEnv: Object.fromEntries(
        Object.entries(serviceEnv).filter(
          ([k]) => /^(SAGA_|DB_|LOG_|MAX_|KAFKA_GROUP|TOPIC_)/.test(k) || k in options.env,
        ),
      ) as Record<string, string>,
      pids: { ...Object.fromEntries(services.map((s) => [s.name, s.child.pid ?? null])), ...infraPids() },
      commandLines,
      postgresSettings: await postgres.settings(),
    },
    points,
    skippedRates: load?.skippedRates ?? [],
    refinedRates: load?.refinedRates ?? [],
    ceilings: {
      echo: ceilings?.echo ?? null,
      db: ceilings?.db ?? null,
      sagasPerS: ceiling,
      limitedBy: ceilings ? (ceilings.echo.sagasPerS <= ceilings.db.sagasPerS ? 'broker' : 'database') : null,
    },
    summary: {
      ...judged,
      cpuBudget: cpuBudget(ceiling, cpus().length, best?.perSaga?.machineCpuMs ?? null),
      errors: points.reduce((sum, p) => sum + p.errors.total, 0),
      deadLetters: load?.deadLetters ?? 0,
    },
    memory: load?.memory ?? {},
    rowsPerSaga: load
      ? Object.fromEntries(
          Object.entries(rows).map(([table, c]) => [
            table,
            {
              inserted: round(c.inserted / load.orders, 2),
              updated: round(c.updated / load.orders, 2),
              deleted: round(c.deleted / load.orders, 2),
            },
          ]),
        )
      : null,
    eventsSeen: load?.eventsSeen ?? {},
    profiles,
    heapProfiles,
    logDir: relative(repoRoot, logDir),
  };
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${formatTable(results)}`);
  for (const summary of profiles) console.log(`\n${formatProfile(summary, 'cpu')}`);
  for (const summary of heapProfiles) console.log(`\n${formatProfile(summary, 'heap')}`);
  console.log(`\nresults: ${relative(repoRoot, jsonPath)}`);
  console.log(`reproduce: ${command}`);
  // Overload shows as unfinished sagas and latency, not as failure; wrong answers and dead letters fail the run.
  const hardErrors = points.reduce((sum, p) => sum + p.errors.http + p.errors.unexpectedOutcome, 0);
  if (hardErrors > 0 || results.summary.deadLetters > 0) {
    log(`${hardErrors} failed requests or wrong outcomes, ${results.summary.deadLetters} dead letters`);
    exitCode = 1;
  }
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  await Promise.all(services.map((s) => stopService(s)));
  await postgres?.close();
  if (topicsCreated)
    await deleteTopics(topicsWithPrefix(topicPrefix), topicPrefix).catch((error: unknown) =>
      log(`could not delete the bench's topics and their ACLs: ${(error as Error).message}`),
    );
}
process.exit(exitCode);
