/**
 * `npm run bench`: how many 3-step sagas per second the system sustains on this machine, at what
 * latency and CPU cost, compared with what the broker and the database allow.
 *
 * 1. Starts the four services isolated from everything else (own database `order_saga_bench`, own
 *    topics via TOPIC_PREFIX, own consumer groups and ports 3400+, deadlines that never fire under
 *    load), or with --reuse drives services that already run (ORCHESTRATOR_URL, TOPIC_PREFIX…).
 * 2. Drives POST /orders open loop at fixed rates and closed loop at rising concurrency; each
 *    saga's latency runs from the POST to its terminal event on `order-events` (kafkajs + the
 *    project's Avro codec). Measures CPU per process (/proc), the services' RSS, Postgres counters.
 * 3. Measures the ceilings on the same broker and database: a Kafka request/reply echo with the
 *    project's client settings (saga ceiling = echo/3) and the saga's Postgres write pattern.
 * 4. Prints one table, writes bench-results/<timestamp>.json and the command that reproduces it.
 *
 * See `npm run bench -- --help`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, getPriority, loadavg, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { createAvroCodec } from '../lib/avro/codec.ts';
import { loadEndpoints } from '../lib/config/common-config.ts';
import { baseTopics, deadLetterTopicOf, topicsWithPrefix } from '../lib/kafka/topics.ts';
import { ensureLocalStackOrExit } from '../scripts/support/local-stack.ts';
import {
  repoRoot,
  type ServiceName,
  type ServiceProcess,
  stopService,
  waitUntilReady,
} from '../scripts/support/service-processes.ts';
import { formatHeapSummary, summariseHeapProfile } from './heap-summary.ts';
import { formatProfileSummary, summariseProfile } from './profile-summary.ts';
import { cpuBudget } from './support/cpu-budget.ts';
import { type CpuSpeed, measureCpuSpeed } from './support/cpu-speed.ts';
import { type DbCeiling, measureDbCeiling } from './support/db-ceiling.ts';
import { type EchoCeiling, measureEchoCeiling } from './support/echo-ceiling.ts';
import {
  benchKafka,
  benchServiceEnv,
  createServiceAcls,
  createTopics,
  deleteServiceAcls,
  deleteTopics,
  dropDatabase,
  freshDatabase,
  messagesIn,
  portVariables,
  serviceNames,
  startBenchService,
  withDatabaseUrlName,
} from './support/environment.ts';
import { judgeGoals } from './support/goals.ts';
import { kernelWorkPerSaga } from './support/kernel-work.ts';
import {
  type LoadContext,
  type LoadPointResult,
  OrderClient,
  runClosedLoop,
  runOpenLoop,
} from './support/load.ts';
import { parseOptions, parseOrExit, reproduceCommand } from './support/options.ts';
import { OrderEventsTracker } from './support/order-events.ts';
import type { ServerSettings } from './support/pg-settings.ts';
import { counterDelta, PostgresWatcher } from './support/pg-stats.ts';
import {
  commandLineOf,
  cpuBetween,
  cpuSnapshot,
  type ProcessGroups,
  pidFromFile,
  pidListeningOn,
  RssSampler,
  round,
} from './support/process-stats.ts';
import { nextRefinementRate, REFINE_GRANULARITY } from './support/refine.ts';
import { type BenchResults, formatTable, type MeasuredPoint, pointLabel } from './support/report.ts';
import { walPerSaga } from './support/wal-stats.ts';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

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
const common = loadEndpoints();
const benchDatabaseUrl =
  process.env.BENCH_DATABASE_URL ?? withDatabaseUrlName(common.databaseUrl, 'order_saga_bench');
const ceilingDatabaseUrl = withDatabaseUrlName(
  benchDatabaseUrl,
  `${decodeURIComponent(new URL(benchDatabaseUrl).pathname.slice(1))}_ceiling`,
);
const topicPrefix = options.reuse ? (process.env.TOPIC_PREFIX ?? '').trim() : `bench-${runId}.`;
const systemDatabaseUrl = options.reuse ? (process.env.DATABASE_URL ?? null) : benchDatabaseUrl;
const logDir = join(repoRoot, '.stack', 'bench-logs', runId);
const profileDir = join(logDir, 'profiles');
const heapProfileDir = join(logDir, 'heap-profiles');
// The stack's pid files, in its state directory as scripts/stack.sh has it (ORDER_SAGA_STATE: bench:ab
// sets it for runs of another checkout, whose stack is this one's).
const stackRun = join(process.env.ORDER_SAGA_STATE || join(repoRoot, '.stack'), 'run');

const services: ServiceProcess[] = [];
const extraOrchestrators: ServiceProcess[] = [];
const serviceEnv = benchServiceEnv({
  topicPrefix,
  databaseUrl: benchDatabaseUrl,
  runId,
  basePort: options.basePort,
  extra: options.env,
});
/** Port of orchestrator instance i (0-based) the bench starts: the first on the base port, the others after the participants. */
const orchestratorPort = (i: number): number =>
  i === 0 ? Number(serviceEnv[portVariables.orchestrator]) : options.basePort + serviceNames.length + i - 1;
/** Every orchestrator instance the load is spread over (round-robin). */
const orchestratorUrls: string[] = options.reuse
  ? (process.env.ORCHESTRATOR_URL ?? 'http://127.0.0.1:3000').split(',').map((u) => u.trim())
  : Array.from({ length: options.orchestrators }, (_, i) => `http://127.0.0.1:${orchestratorPort(i)}`);
const orchestratorUrl = orchestratorUrls.join(',');

/** The pid of each service: the processes we started, or whoever listens on the reused URLs' ports. */
const servicePids = (): Map<ServiceName, number> => {
  const out = new Map<ServiceName, number>();
  if (!options.reuse) {
    for (const s of services) if (s.child.pid && !out.has(s.name)) out.set(s.name, s.child.pid);
    return out;
  }
  const urlVars: Record<ServiceName, string> = {
    orchestrator: 'ORCHESTRATOR_URL',
    inventory: 'INVENTORY_URL',
    payment: 'PAYMENT_URL',
    shipping: 'SHIPPING_URL',
  };
  const defaults: Record<ServiceName, number> = {
    orchestrator: 3000,
    inventory: 3001,
    payment: 3002,
    shipping: 3003,
  };
  for (const name of serviceNames) {
    const raw = name === 'orchestrator' ? orchestratorUrls[0] : process.env[urlVars[name]];
    const port = raw ? Number(new URL(raw).port) : defaults[name];
    const pid = pidListeningOn(port);
    if (pid !== null) out.set(name, pid);
  }
  return out;
};

let cachedServicePids = new Map<ServiceName, number>();
let serviceCommandLines: Record<string, string[] | null> = {};
/** The Postgres server's settings that bear on the figures, read once the system is up. */
let postgresSettings: ServerSettings | null = null;
/** Pids of orchestrator instances after the first (their CPU counts in the orchestrator's column). */
let extraOrchestratorPids: number[] = [];
const findExtraOrchestratorPids = (): number[] =>
  options.reuse
    ? orchestratorUrls
        .slice(1)
        .map((url) => pidListeningOn(Number(new URL(url).port)))
        .filter((pid): pid is number => pid !== null)
    : extraOrchestrators.flatMap((s) => (s.child.pid ? [s.child.pid] : []));
const infraPids = () => ({
  kafka: pidFromFile(join(stackRun, 'kafka.pid')),
  registry: pidFromFile(join(stackRun, 'registry.pid')),
});

let postgres: PostgresWatcher | null = null;
const processGroups: ProcessGroups = () => {
  const groups = new Map<string, number[]>();
  for (const name of serviceNames) {
    const pid = cachedServicePids.get(name);
    groups.set(name, pid ? [pid] : []);
  }
  groups.get('orchestrator')?.push(...extraOrchestratorPids);
  const { kafka, registry } = infraPids();
  groups.set('kafka', kafka ? [kafka] : []);
  groups.set('registry', registry ? [registry] : []);
  for (const [name, pids] of postgres?.groups() ?? []) groups.set(name, pids);
  return groups;
};

async function startServices(): Promise<void> {
  // One directory per service: the tsx loader's worker thread writes a profile of its own.
  const nodeFlags = (name: string) => [
    ...options.nodeFlags,
    ...(name.startsWith('orchestrator') ? options.orchestratorNodeFlags : []),
    ...(options.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : []),
    // The sampler is TypeScript: tsx first (importing it again later is a no-op).
    ...(options.heapProfile
      ? ['--import', 'tsx', '--import', join(repoRoot, 'bench/support/heap-sampler.ts')]
      : []),
  ];
  const envOf = (label: string, env: NodeJS.ProcessEnv) =>
    options.heapProfile ? { ...env, BENCH_HEAP_PROFILE_DIR: join(heapProfileDir, label) } : env;
  // coreutils' nice adjusts the bench's own niceness: the adjustment that gives the asked-for value.
  const niceAdjustment = options.orchestratorNice === 0 ? 0 : options.orchestratorNice - getPriority();
  const orchestratorInstances: ServiceProcess[] = [];
  for (const name of serviceNames) {
    const service = startBenchService(
      name,
      envOf(name, serviceEnv),
      logDir,
      nodeFlags(name),
      name,
      name === 'orchestrator' ? niceAdjustment : 0,
    );
    services.push(service);
    if (name === 'orchestrator') orchestratorInstances.push(service);
  }
  for (let i = 1; i < options.orchestrators; i++) {
    const label = `orchestrator-${i + 1}`;
    const env = { ...serviceEnv, [portVariables.orchestrator]: String(orchestratorPort(i)) };
    extraOrchestrators.push(
      startBenchService('orchestrator', envOf(label, env), logDir, nodeFlags(label), label, niceAdjustment),
    );
  }
  services.push(...extraOrchestrators);
  orchestratorInstances.push(...extraOrchestrators);
  await Promise.all(services.map((s) => waitUntilReady(s, 120_000)));
  // nice runs the command even when it may not set the niceness (a negative one needs root): check.
  if (options.orchestratorNice !== 0) {
    for (const instance of orchestratorInstances) {
      const actual = instance.child.pid === undefined ? null : getPriority(instance.child.pid);
      if (actual !== options.orchestratorNice)
        throw new Error(
          `the orchestrator runs at niceness ${actual}, not ${options.orchestratorNice}: a niceness below the bench's own needs root or CAP_SYS_NICE`,
        );
    }
  }
}

async function measurePoint(
  run: () => Promise<LoadPointResult>,
  label: string,
): Promise<Omit<MeasuredPoint, 'ratioToCeiling'>> {
  await postgres?.refresh();
  const countersBefore = await postgres?.counters().catch(() => null);
  const walBefore = await postgres?.walCounters().catch(() => null);
  const before = cpuSnapshot(processGroups);
  const rss = new RssSampler(() => new Map(cachedServicePids));
  rss.start();
  const hrStart = monotonicUs();
  const result = await run();
  const hrEnd = monotonicUs();
  await postgres?.refresh();
  const after = cpuSnapshot(processGroups);
  const countersAfter = await postgres?.counters().catch(() => null);
  const walAfter = await postgres?.walCounters().catch(() => null);
  const cpu = cpuBetween(before, after);
  const db = counterDelta(countersBefore ?? null, countersAfter ?? null);
  const cpuMsPerSaga: Record<string, number> = {};
  if (result.completed > 0)
    for (const [name, usage] of Object.entries(cpu.byProcess))
      cpuMsPerSaga[name] = round((1000 * usage.seconds) / result.completed, 2);
  const p99 = result.latencyMs?.p99 ?? Number.POSITIVE_INFINITY;
  const sustained = result.errors.total === 0 && result.completed === result.sent && p99 <= 1000;
  const point = {
    ...result,
    sustained,
    cpu,
    cpuMsPerSaga,
    kernelPerSaga: kernelWorkPerSaga(cpu.kernel, result.completed),
    db: db
      ? {
          ...db,
          xactPerS: Math.round(db.xactCommit / cpu.wallSeconds),
          xactPerSaga: result.completed > 0 ? round(db.xactCommit / result.completed, 2) : null,
        }
      : null,
    wal: walPerSaga(walBefore ?? null, walAfter ?? null, result.completed),
    rssKb: rss.stop(),
    monotonicWindowUs: { from: hrStart, to: hrEnd },
  };
  const l = result.latencyMs;
  log(
    `${label}: ${result.completed}/${result.sent} sagas, ${result.sagasPerS}/s, p50 ${l?.p50 ?? '-'} p99 ${l?.p99 ?? '-'} max ${l?.max ?? '-'} ms, errors ${result.errors.total}, refused (429) ${result.refused}${sustained ? '' : ' (not sustained)'}, machine ${cpu.machineBusyPercent}% busy`,
  );
  for (const sample of result.errors.samples.slice(0, 3)) log(`  error: ${sample}`);
  return point;
}

/**
 * Before a point: waits until the sagas the previous point gave up on (unfinished within its drain
 * time) have finished, so every point starts without a backlog. Gives up when none arrived for 30 s
 * or after 10 minutes.
 */
async function settle(): Promise<void> {
  if (!tracker || tracker.abandoned === 0) return;
  log(`waiting for ${tracker.abandoned} sagas of the previous point to finish…`);
  const started = performance.now();
  while (tracker.abandoned > 0) {
    const now = performance.now();
    const lastProgress = Math.max(started, tracker.lastAbandonedArrivalAt);
    if (now - lastProgress > 30_000 || now - started > 600_000) {
      log(`${tracker.abandoned} sagas still unfinished; going on`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const results: Partial<BenchResults> & { points: MeasuredPoint[] } = { points: [] };
let tracker: OrderEventsTracker | null = null;
let exitCode = 0;
let loadWindowUs: { from: number; to: number } | null = null;
let dlt: number | null = null;
let topicsCreated = false;
/** The machine's speed before the services start and after they stop (support/cpu-speed.ts). */
const cpuSpeed: { atStart: CpuSpeed | null; atEnd: CpuSpeed | null } = { atStart: null, atEnd: null };
const profiles: BenchResults['profiles'] = [];
const heapProfiles: BenchResults['heapProfiles'] = [];
const wholeRss = new RssSampler(() => new Map(cachedServicePids));

/** Whatever is still running when the bench ends or fails. */
async function cleanUp(): Promise<void> {
  await tracker?.stop().catch(() => undefined);
  await Promise.all(services.map((s) => stopService(s)));
  await postgres?.close();
}

/** Starts (or finds) the services, runs every load point, stops the services. */
async function measureLoad(): Promise<void> {
  cpuSpeed.atStart = measureCpuSpeed();
  log(
    `machine speed: ${cpuSpeed.atStart.kops} kops/s (${cpuSpeed.atStart.minKops}–${cpuSpeed.atStart.maxKops}; bench/support/cpu-speed.ts)`,
  );
  if (!options.reuse) {
    log(
      `fresh database ${new URL(benchDatabaseUrl).pathname.slice(1)}, topics ${topicPrefix}* (${options.partitions} partitions)`,
    );
    await freshDatabase(benchDatabaseUrl);
    await createTopics(topicsWithPrefix(topicPrefix), options.partitions);
    await createServiceAcls(topicPrefix);
    topicsCreated = true;
    const extra =
      options.orchestrators > 1
        ? `, ${options.orchestrators - 1} more orchestrator(s) on ${orchestratorUrls.slice(1).join(' ')}`
        : '';
    log(
      `starting the four services on ports ${options.basePort}-${options.basePort + 3}${extra} (logs: ${relative(repoRoot, logDir)})`,
    );
    await startServices();
  }
  cachedServicePids = servicePids();
  extraOrchestratorPids = findExtraOrchestratorPids();
  serviceCommandLines = Object.fromEntries(
    serviceNames.map((name) => {
      const pid = cachedServicePids.get(name);
      return [name, pid === undefined ? null : commandLineOf(pid)];
    }),
  );
  if (systemDatabaseUrl) {
    postgres = new PostgresWatcher(systemDatabaseUrl);
    await postgres.connect();
    postgresSettings = await postgres.settings().catch((error: unknown) => {
      log(
        `could not read the Postgres server's settings: ${error instanceof Error ? error.message : String(error)}`,
      );
      return null;
    });
  }
  wholeRss.start(2_000);

  const codec = createAvroCodec({ registryUrl: common.schemaRegistryUrl });
  await codec.registerAll();
  tracker = new OrderEventsTracker({
    kafka: benchKafka('bench-driver'),
    codec,
    topic: `${topicPrefix}${baseTopics.orderEvents}`,
    groupId: `bench-driver-${runId}`,
  });
  await tracker.start();

  const client = new OrderClient(orchestratorUrls, options.maxSockets, false);
  let orderNumber = 0;
  const ctx: LoadContext = {
    client,
    tracker,
    mixed: options.mixed,
    runId,
    nextOrderNumber: () => orderNumber++,
  };

  if (options.warmupS > 0) {
    const rate = Math.min(100, options.rates[0] ?? 100);
    log(`warm-up: ${rate}/s for ${options.warmupS} s (not recorded)`);
    const warm = await runOpenLoop(ctx, { rate, durationS: options.warmupS, drainS: options.drainS });
    if (warm.errors.total > 0)
      log(`warm-up had ${warm.errors.total} errors: ${warm.errors.samples[0] ?? ''}`);
  }

  /** One open-loop point at `rate`, recorded in the results. */
  const measureOpenLoop = async (rate: number, what = '') => {
    await settle();
    log(`open loop ${rate}/s for ${options.durationS} s${what}…`);
    const point = await measurePoint(
      () => runOpenLoop(ctx, { rate, durationS: options.durationS, drainS: options.drainS }),
      pointLabel({ kind: 'open', target: rate }),
    );
    results.points.push({ ...point, ratioToCeiling: null });
    return point;
  };

  const hrLoadStart = monotonicUs();
  const skippedRates: number[] = [];
  let overloadedAt: number | null = null;
  for (const rate of options.rates) {
    if (overloadedAt !== null && !options.keepGoing) {
      skippedRates.push(rate);
      continue;
    }
    const point = await measureOpenLoop(rate);
    if (point.windowSagasPerS < 0.7 * rate) overloadedAt = rate;
  }
  if (skippedRates.length > 0)
    log(
      `skipped rates ${skippedRates.join(', ')}: ${overloadedAt}/s was already beyond capacity (--keep-going runs them)`,
    );
  results.skippedRates = skippedRates;
  results.refinedRates = [];
  for (let i = 0; i < options.refine; i++) {
    const rate = nextRefinementRate(results.points.filter((p) => p.kind === 'open'));
    if (rate === null) {
      log(
        i === 0
          ? 'nothing to refine: no open-loop rate was sustained, or none above the highest sustained one failed'
          : `refinement ends after ${i} point(s): the gap is down to ${REFINE_GRANULARITY}/s`,
      );
      break;
    }
    await measureOpenLoop(rate, ` (refinement ${i + 1} of ${options.refine})`);
    results.refinedRates.push(rate);
  }
  for (const concurrency of options.concurrency) {
    await settle();
    log(`closed loop, concurrency ${concurrency}, for ${options.durationS} s…`);
    const point = await measurePoint(
      () => runClosedLoop(ctx, { concurrency, durationS: options.durationS, drainS: options.drainS }),
      pointLabel({ kind: 'closed', target: concurrency }),
    );
    results.points.push({ ...point, ratioToCeiling: null });
  }
  loadWindowUs = { from: hrLoadStart, to: monotonicUs() };
  client.close();

  results.eventsSeen = Object.fromEntries(tracker.countsByType);
  dlt = await messagesIn(Object.values(baseTopics).map((t) => deadLetterTopicOf(`${topicPrefix}${t}`))).catch(
    () => null,
  );
  results.memory = { whole: wholeRss.stop() };
  await tracker.stop();
  tracker = null;

  // Stop the services before the ceilings: the broker and the database get the machine to themselves.
  if (!options.reuse) {
    log('stopping the services');
    await Promise.all(services.map((s) => stopService(s)));
  }
  cpuSpeed.atEnd = measureCpuSpeed();
  // After the services stopped their backends flushed their statistics; a reused database has older rows.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rowsPerSaga = options.reuse ? null : await postgres?.tableCounters().catch(() => null);
  const completedTotal = results.points.reduce((sum, p) => sum + p.completed, 0);
  results.database = {
    rowsPerSaga:
      rowsPerSaga && completedTotal > 0
        ? Object.fromEntries(
            Object.entries(rowsPerSaga).map(([table, c]) => [
              table,
              {
                inserted: round(c.inserted / orderNumber, 2),
                updated: round(c.updated / orderNumber, 2),
                deleted: round(c.deleted / orderNumber, 2),
              },
            ]),
          )
        : null,
  };
  if (options.profile) {
    const labels = [...serviceNames, ...extraOrchestrators.map((_, i) => `orchestrator-${i + 2}`)];
    for (const service of labels) {
      // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile: thread 0 is the main thread
      const dir = join(profileDir, service);
      const file = existsSync(dir)
        ? readdirSync(dir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f))
        : undefined;
      if (!file) continue;
      const summary = summariseProfile(join(dir, file), {
        ...(loadWindowUs ? { fromUs: loadWindowUs.from, toUs: loadWindowUs.to } : {}),
        top: 20,
      });
      profiles.push({ service, summary });
    }
  }
  if (options.heapProfile) {
    for (const service of [...serviceNames, ...extraOrchestrators.map((_, i) => `orchestrator-${i + 2}`)]) {
      const dir = join(heapProfileDir, service);
      const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.heapprofile')) : undefined;
      if (file) heapProfiles.push({ service, summary: summariseHeapProfile(join(dir, file), { top: 20 }) });
      else log(`no heap profile from ${service} in ${relative(repoRoot, dir)}`);
    }
  }
}

try {
  log(`run ${runId}; results will go to ${relative(repoRoot, jsonPath)}`);
  const hasLoad = options.rates.length + options.concurrency.length > 0;
  if (hasLoad) await measureLoad();
  else log('no load points: measuring the ceilings only');
  let echo: EchoCeiling | null = null;
  let db: DbCeiling | null = null;
  if (options.ceilingS > 0) {
    log(
      `broker ceiling: kafkajs echo, windows ${options.echoWindows.join(', ')}, ${options.ceilingS} s each…`,
    );
    echo = await measureEchoCeiling({
      runId,
      prefix: `bench-${runId}.`,
      partitions: options.partitions,
      seconds: options.ceilingS,
      windows: options.echoWindows,
      groups: processGroups,
    });
    log(`broker ceiling: ${echo.roundTripsPerS} round trips/s → ${echo.sagasPerS} sagas/s`);
    log(
      `database ceiling: the saga's write pattern on ${new URL(ceilingDatabaseUrl).pathname.slice(1)} for ${options.ceilingS} s…`,
    );
    const ceilingWatcher = new PostgresWatcher(ceilingDatabaseUrl);
    const previous = postgres;
    try {
      await freshDatabase(ceilingDatabaseUrl);
      await ceilingWatcher.connect();
      postgres = ceilingWatcher;
      const refresher = setInterval(() => void ceilingWatcher.refresh().catch(() => undefined), 500);
      try {
        db = await measureDbCeiling({
          databaseUrl: ceilingDatabaseUrl,
          seconds: options.ceilingS,
          partitions: options.partitions,
          groups: processGroups,
          createBatch: options.dbCreateBatch,
        });
      } finally {
        clearInterval(refresher);
      }
    } finally {
      postgres = previous;
      await ceilingWatcher.close();
      await dropDatabase(ceilingDatabaseUrl).catch(() => undefined);
    }
    log(`database ceiling: ${db.sagasPerS} sagas/s (${db.transactionsPerS} transactions/s)`);
  }

  const ceiling =
    echo && db ? Math.min(echo.sagasPerS, db.sagasPerS) : (echo?.sagasPerS ?? db?.sagasPerS ?? null);
  for (const point of results.points)
    point.ratioToCeiling = ceiling ? round(point.sagasPerS / ceiling, 2) : null;
  const judged = judgeGoals(results.points, ceiling, options.rates);
  const bestPoint = results.points.find((p) => p.sagasPerS === judged.bestSagasPerS) ?? null;
  const errors = results.points.reduce((sum, p) => sum + p.errors.total, 0);
  const finished: BenchResults = {
    version: 1,
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
      mode: options.reuse ? 'reused' : 'started',
      orchestratorUrl,
      topicPrefix,
      databaseUrl: systemDatabaseUrl,
      partitions: options.partitions,
      serviceEnv: options.reuse
        ? {}
        : Object.fromEntries(
            Object.entries(serviceEnv).filter(
              ([k, v]) =>
                v !== undefined && (/^(SAGA_|DB_|LOG_|KAFKA_GROUP|TOPIC_)/.test(k) || k in options.env),
            ) as Array<[string, string]>,
          ),
      pids: {
        ...Object.fromEntries(serviceNames.map((n) => [n, cachedServicePids.get(n) ?? null])),
        moreOrchestrators: extraOrchestratorPids,
        ...infraPids(),
      },
      commandLines: serviceCommandLines,
      postgresSettings,
    },
    points: results.points,
    skippedRates: results.skippedRates ?? [],
    refinedRates: results.refinedRates ?? [],
    ceilings: {
      echo,
      db,
      sagasPerS: ceiling,
      limitedBy: echo && db ? (echo.sagasPerS <= db.sagasPerS ? 'broker' : 'database') : null,
    },
    summary: {
      ...judged,
      cpuBudget: cpuBudget({
        ceilingSagasPerS: ceiling,
        cores: cpus().length,
        best: bestPoint && {
          completed: bestPoint.completed,
          wallSeconds: bestPoint.cpu.wallSeconds,
          machineBusyPercent: bestPoint.cpu.machineBusyPercent,
        },
      }),
      errors,
      deadLetters: dlt,
    },
    memory: results.memory ?? { whole: {} },
    database: results.database ?? { rowsPerSaga: null },
    eventsSeen: results.eventsSeen ?? {},
    profiles,
    heapProfiles,
    logDir: options.reuse ? null : relative(repoRoot, logDir),
  };
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(finished, null, 2)}\n`);

  console.log('');
  console.log(formatTable(finished));
  for (const { service, summary } of profiles) console.log(`\n${formatProfileSummary(service, summary)}`);
  for (const { service, summary } of heapProfiles) console.log(`\n${formatHeapSummary(service, summary)}`);
  console.log(`\nresults: ${relative(repoRoot, jsonPath)}`);
  console.log(`reproduce: ${command}`);
  // Overload shows as unfinished sagas and latency, not as failure; wrong answers and dead letters fail the run.
  const hardErrors = results.points.reduce((sum, p) => sum + p.errors.http + p.errors.unexpectedOutcome, 0);
  if (hardErrors > 0 || (dlt ?? 0) > 0) {
    log(`${hardErrors} failed requests or wrong outcomes, ${dlt ?? '?'} dead letters`);
    exitCode = 1;
  }
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  await cleanUp();
  if (topicsCreated) {
    await deleteTopics(topicsWithPrefix(topicPrefix)).catch((error: unknown) =>
      log(`could not delete the bench topics: ${(error as Error).message}`),
    );
    await deleteServiceAcls(topicPrefix).catch((error: unknown) =>
      log(`could not delete the bench topics' ACLs: ${(error as Error).message}`),
    );
  }
}
process.exit(exitCode);
