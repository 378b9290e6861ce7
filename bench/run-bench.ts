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
import { cpus, loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { type AvroCodec, createAvroCodec } from '../lib/avro/codec.ts';
import { loadEndpoints } from '../lib/config/common-config.ts';
import { dropDatabase } from '../lib/db/database.ts';
import { baseTopics, deadLetterTopicOf, topicsWithPrefix } from '../lib/kafka/topics.ts';
import { ensureLocalStackOrExit } from '../scripts/support/local-stack.ts';
import { repoRoot } from '../scripts/support/service-processes.ts';
import { BenchSystem, type MeasuredPoint } from './support/bench-system.ts';
import { measureCpuSpeed } from './support/cpu-speed.ts';
import { measureDbCeiling } from './support/db-ceiling.ts';
import { measureEchoCeiling } from './support/echo-ceiling.ts';
import * as environment from './support/environment.ts';
import { cpuBudget, judgeGoals, nextRefinementRate, REFINE_GRANULARITY } from './support/goals.ts';
import { type LoadContext, OrderClient, runClosedLoop, runOpenLoop } from './support/load.ts';
import { parseOptions, parseOrExit, reproduceCommand } from './support/options.ts';
import { OrderEventsTracker } from './support/order-events.ts';
import { PostgresWatcher } from './support/postgres-stats.ts';
import { RssSampler, round } from './support/proc-stats.ts';
import { collectProfiles, formatProfile } from './support/profiles.ts';
import { type BenchResults, formatTable, pointLabel } from './support/report.ts';

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const options = parseOrExit(parseOptions, process.argv.slice(2));
// Idempotent and quick when the stack is up; SKIP_STACK=1 to use infrastructure you run yourself.
ensureLocalStackOrExit(log);

const startedAt = new Date();
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const jsonFile =
  options.json ?? join('bench-results', `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
const jsonPath = resolve(repoRoot, jsonFile);
const command = reproduceCommand(options, relative(repoRoot, jsonPath));
const endpoints = loadEndpoints();
const benchDb = environment.withDatabaseUrlName(endpoints.databaseUrl, 'order_saga_bench');
const databaseUrl = process.env.BENCH_DATABASE_URL ?? benchDb;
const databaseName = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
const topicPrefix = `bench-${runId}.`;
const logDir = join(repoRoot, '.stack', 'bench-logs', runId);
const { basePort, env, durationS, drainS } = options;
const serviceEnv = environment.benchServiceEnv({ topicPrefix, databaseUrl, runId, basePort, extra: env });
const system = new BenchSystem(options, logDir, new PostgresWatcher(databaseUrl));

/** Runs every load point against the started services; returns what the results need of the load. */
async function measureLoad(codec: AvroCodec) {
  const kafka = environment.benchKafka('bench-driver');
  const tracker = new OrderEventsTracker(kafka, `bench-driver-${runId}`, codec);
  await tracker.start(`${topicPrefix}${baseTopics.orderEvents}`);
  const client = new OrderClient(basePort);
  let orders = 0;
  const ctx: LoadContext = { client, tracker, mixed: options.mixed, runId, nextOrderNumber: () => orders++ };
  const memory = new RssSampler(system.servicePids).start(2_000);
  const points: MeasuredPoint[] = [];
  const skippedRates: number[] = [];
  const refinedRates: number[] = [];
  /** One point, after the sagas the previous one gave up on finished (30 s without one at most). */
  const measure = async (kind: 'open' | 'closed', target: number, what = '') => {
    const started = performance.now();
    const quiet = () => performance.now() - Math.max(started, tracker.lastAbandonedArrivalAt);
    if (tracker.abandoned > 0) log(`waiting for ${tracker.abandoned} sagas of the previous point to finish…`);
    while (tracker.abandoned > 0 && quiet() < 30_000) await sleep(250);
    log(`${pointLabel({ kind, target })} for ${durationS} s${what}…`);
    const point = await system.measure(() =>
      kind === 'open'
        ? runOpenLoop(ctx, { rate: target, durationS, drainS })
        : runClosedLoop(ctx, { concurrency: target, durationS, drainS }),
    );
    const l = point.latencyMs;
    log(
      `${pointLabel(point)}: ${point.completed}/${point.sent} sagas, ${point.sagasPerS}/s, p50 ${l?.p50 ?? '-'} p99 ${l?.p99 ?? '-'} max ${l?.max ?? '-'} ms, errors ${point.errors.total}, refused (429) ${point.refused}${point.sustained ? '' : ' (not sustained)'}, machine ${point.cpu.machineBusyPercent}% busy`,
    );
    for (const sample of point.errors.samples.slice(0, 3)) log(`  error: ${sample}`);
    points.push(point);
    return point;
  };

  if (options.warmupS > 0) {
    const rate = Math.min(100, options.rates[0] ?? 100);
    log(`warm-up: ${rate}/s for ${options.warmupS} s (not recorded)`);
    const warm = await runOpenLoop(ctx, { rate, durationS: options.warmupS, drainS });
    if (warm.errors.total > 0) log(`warm-up had ${warm.errors.total} errors: ${warm.errors.samples[0]}`);
  }
  const window = { fromUs: monotonicUs(), toUs: 0 };
  let overloadedAt: number | null = null;
  for (const rate of options.rates) {
    if (overloadedAt !== null && !options.keepGoing) skippedRates.push(rate);
    else if ((await measure('open', rate)).windowSagasPerS < 0.7 * rate) overloadedAt ??= rate;
  }
  if (overloadedAt !== null && skippedRates.length > 0)
    log(`skipped rates ${skippedRates.join(', ')}: ${overloadedAt}/s was already beyond capacity`);
  for (let i = 0; i < options.refine; i++) {
    const rate = nextRefinementRate(points.filter((p) => p.kind === 'open'));
    const done =
      i === 0
        ? 'nothing to refine: no rate was sustained, or none above the highest sustained one failed'
        : `refinement ends after ${i} point(s): the gap is down to ${REFINE_GRANULARITY}/s`;
    if (rate === null) {
      log(done);
      break;
    }
    await measure('open', rate, ` (refinement ${i + 1} of ${options.refine})`);
    refinedRates.push(rate);
  }
  for (const concurrency of options.concurrency) await measure('closed', concurrency);
  window.toUs = monotonicUs();
  client.close();
  await tracker.stop();
  if (tracker.decodeFailures.length > 0)
    throw new Error(`undecodable order events: ${tracker.decodeFailures.join('; ')}`);
  const deadLetterTopics = Object.values(baseTopics).map((t) => deadLetterTopicOf(`${topicPrefix}${t}`));
  const deadLetters = await environment.messagesIn(deadLetterTopics);
  return { points, skippedRates, refinedRates, memory: memory.stop(), deadLetters, orders, window };
}

/** The broker's and the database's ceilings, after the services stopped. */
async function measureCeilings(codec: AvroCodec) {
  const { partitions, ceilingS: seconds, echoWindows: windows } = options;
  log(`broker ceiling: kafkajs echo, windows ${windows.join(', ')}, ${seconds} s each…`);
  const { groups } = system;
  const echo = await measureEchoCeiling({ runId, partitions, seconds, windows, groups });
  log(`broker ceiling: ${echo.roundTripsPerS} round trips/s → ${echo.sagasPerS} sagas/s`);
  const url = environment.withDatabaseUrlName(databaseUrl, `${databaseName}_ceiling`);
  log(`database ceiling: the services' transactions on ${databaseName}_ceiling for ${seconds} s…`);
  await environment.freshDatabase(url);
  const watcher = new PostgresWatcher(url);
  const measured = system.postgres;
  try {
    await watcher.connect();
    system.postgres = watcher;
    const db = await measureDbCeiling({ databaseUrl: url, codec, watcher, partitions, seconds, groups });
    log(`database ceiling: ${db.sagasPerS} sagas/s (${db.transactionsPerS} commits/s)`);
    return { echo, db };
  } finally {
    system.postgres = measured;
    await watcher.close();
    await dropDatabase(url);
  }
}

let exitCode = 0;
let topicsCreated = false;
try {
  log(`run ${runId}; results will go to ${relative(repoRoot, jsonPath)}`);
  const codec = createAvroCodec({ registryUrl: endpoints.schemaRegistryUrl });
  await codec.registerAll();
  await environment.freshDatabase(databaseUrl);
  await system.postgres.connect();
  let load: Awaited<ReturnType<typeof measureLoad>> | null = null;
  let cpuSpeed: BenchResults['host']['cpuSpeed'] = null;
  if (options.rates.length + options.concurrency.length > 0) {
    const atStart = measureCpuSpeed();
    log(
      `machine speed: ${atStart.kops} kops/s (${atStart.minKops}–${atStart.maxKops}; support/cpu-speed.ts)`,
    );
    topicsCreated = true;
    await environment.createTopics(topicsWithPrefix(topicPrefix), options.partitions, topicPrefix);
    log(`starting the services on ports ${basePort}-${basePort + 3}, logs in ${relative(repoRoot, logDir)}`);
    await system.start(serviceEnv);
    load = await measureLoad(codec);
    // Stopped before the ceilings: the broker and the database get the machine to themselves.
    log('stopping the services');
    await system.stop();
    cpuSpeed = { atStart, atEnd: measureCpuSpeed() };
    await sleep(500); // the services' backends flush their statistics as they end
  }
  const rowsPerSaga = load ? await system.postgres.rowsWritten(load.orders) : null;
  const ceilings = options.ceilingS > 0 ? await measureCeilings(codec) : null;

  const ceiling = ceilings ? Math.min(ceilings.echo.sagasPerS, ceilings.db.sagasPerS) : null;
  const points = load?.points ?? [];
  for (const point of points) point.ratioToCeiling = ceiling ? round(point.sagasPerS / ceiling, 2) : null;
  const judged = judgeGoals(points, ceiling, options.rates);
  const spent = points.find((p) => p.sagasPerS === judged.bestSagasPerS)?.perSaga?.machineCpuMs ?? null;
  const kept = /^(SAGA_|DB_|LOG_|MAX_|KAFKA_GROUP|TOPIC_)/;
  const limitedBy = ceilings
    ? ceilings.echo.sagasPerS <= ceilings.db.sagasPerS
      ? 'broker'
      : 'database'
    : null;
  const kinds = { cpu: options.profile, heap: options.heapProfile };
  const profiles = load ? collectProfiles(logDir, environment.serviceNames, load.window, kinds) : [];
  const results: BenchResults = {
    version: 2,
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command,
    host: { cpus: cpus().length, node: process.version, loadAverage: loadavg(), cpuSpeed },
    options,
    system: {
      topicPrefix,
      databaseUrl,
      serviceEnv: Object.fromEntries(Object.entries(serviceEnv).filter(([k]) => kept.test(k) || k in env)),
      pids: system.pids(),
      commandLines: system.commandLines,
    },
    points,
    skippedRates: load?.skippedRates ?? [],
    refinedRates: load?.refinedRates ?? [],
    ceilings: { echo: ceilings?.echo ?? null, db: ceilings?.db ?? null, sagasPerS: ceiling, limitedBy },
    summary: {
      ...judged,
      cpuBudget: cpuBudget(ceiling, cpus().length, spent),
      errors: points.reduce((sum, p) => sum + p.errors.total, 0),
      deadLetters: load?.deadLetters ?? 0,
    },
    memory: load?.memory ?? {},
    rowsPerSaga,
    profiles,
    logDir: relative(repoRoot, logDir),
  };
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n${formatTable(results)}`);
  for (const summary of profiles) console.log(`\n${formatProfile(summary)}`);
  console.log(`\nresults: ${relative(repoRoot, jsonPath)}\nreproduce: ${command}`);
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
  await system.stop();
  await system.postgres.close().catch(() => undefined); // not connected if the run failed before
  if (topicsCreated)
    await environment
      .deleteTopics(topicsWithPrefix(topicPrefix), topicPrefix)
      .catch((error: unknown) => log(`could not delete the bench's topics: ${(error as Error).message}`));
}
process.exit(exitCode);
