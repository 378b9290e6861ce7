/**
 * `npm run soak -- --minutes 30 --rate 100`: runs the four services at a steady open-loop rate for a
 * long time, with a short retention so pruning runs, and says whether what must stay bounded stays
 * flat: the bounded tables' size (support/soak-sampler.ts) and each service's RSS and V8 heap,
 * sampled every --sample-s seconds (support/soak-flatness.ts: last third vs middle third, judged;
 * the least-squares slope over the last half, reported).
 *
 * It reuses the bench's isolated system (support/environment.ts, support/bench-system.ts: own
 * database order_saga_soak, own topics and groups, deadlines that never fire) and its open-loop
 * driver (support/load.ts). Writes bench-results/soak-<timestamp>.json; exits 1 when something
 * judged is not flat or sagas failed.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createAvroCodec } from '../lib/avro/codec.ts';
import { loadEndpoints } from '../lib/config/common-config.ts';
import { baseTopics, topicsWithPrefix } from '../lib/kafka/topics.ts';
import { ensureLocalStackOrExit } from '../scripts/support/local-stack.ts';
import { repoRoot } from '../scripts/support/service-processes.ts';
import { BenchSystem } from './support/bench-system.ts';
import * as environment from './support/environment.ts';
import { OrderClient, runOpenLoop } from './support/load.ts';
import { defaultOptions } from './support/options.ts';
import { OrderEventsTracker } from './support/order-events.ts';
import { PostgresWatcher } from './support/postgres-stats.ts';
import { judgeFlatness, trendOf } from './support/soak-flatness.ts';
import {
  autovacuumOn,
  boundedTables,
  type SoakSample,
  sampleProcesses,
  sampleTables,
  vacuumBoundedTables,
} from './support/soak-sampler.ts';

const log = (message: string) => process.stderr.write(`[soak] ${message}\n`);
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string', default: '100' },
    'sample-s': { type: 'string', default: '30' },
    tolerance: { type: 'string', default: '0.1' },
    env: { type: 'string', multiple: true, default: [] },
    'base-port': { type: 'string', default: '3440' },
    /** When the server's autovacuum is off: `stand-in` vacuums the bounded tables before each sample. */
    vacuum: { type: 'string', default: 'stand-in' },
    json: { type: 'string' },
  },
});
const minutes = Number(args.minutes);
const rate = Number(args.rate);
const sampleS = Number(args['sample-s']);
const tolerance = Number(args.tolerance);
const basePort = Number(args['base-port']);
const usable = [minutes, rate, sampleS, tolerance, basePort].every((n) => Number.isFinite(n) && n > 0);
if (!usable || !['stand-in', 'none'].includes(args.vacuum ?? '')) {
  log(
    'usage: npm run soak -- [--minutes 30] [--rate 100] [--sample-s 30] [--tolerance 0.1] [--vacuum stand-in|none] [--env K=V]…',
  );
  process.exit(2);
}
ensureLocalStackOrExit(log);

/** Short retention so the soak reaches the pruned steady state in its first third; --env overrides. */
const retentionEnv = {
  INBOX_RETENTION_MINUTES: '10',
  SAGA_HISTORY_RETENTION_MINUTES: '5',
  PRUNE_INTERVAL_MS: '10000',
};
const extra = Object.fromEntries(
  (args.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
);
const startedAt = new Date();
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const jsonPath = resolve(
  repoRoot,
  args.json ?? join('bench-results', `soak-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`),
);
const databaseUrl = environment.withDatabaseUrlName(loadEndpoints().databaseUrl, 'order_saga_soak');
const topicPrefix = `soak-${runId}.`;
const logDir = join(repoRoot, '.stack', 'soak-logs', runId);
const serviceEnv = environment.benchServiceEnv({
  topicPrefix,
  databaseUrl,
  runId,
  basePort,
  extra: { ...retentionEnv, ...extra },
});
const system = new BenchSystem({ ...defaultOptions, basePort }, logDir, new PostgresWatcher(databaseUrl));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function soak() {
  const codec = createAvroCodec({ registryUrl: loadEndpoints().schemaRegistryUrl });
  await codec.registerAll();
  await environment.freshDatabase(databaseUrl);
  await environment.createTopics(topicsWithPrefix(topicPrefix), 3, topicPrefix);
  log(`starting the services on ports ${basePort}-${basePort + 3}, logs in ${relative(repoRoot, logDir)}`);
  await system.start(serviceEnv);
  const services = system.services.map((s) => ({ name: s.name, pid: s.child.pid ?? 0, port: s.port }));
  const tracker = new OrderEventsTracker(environment.benchKafka('soak-driver'), `soak-${runId}`, codec);
  await tracker.start(`${topicPrefix}${baseTopics.orderEvents}`);
  const client = new OrderClient(basePort);
  const db = new pg.Client({ connectionString: databaseUrl, application_name: 'soak-sampler' });
  await db.connect();
  const samples: SoakSample[] = [];
  const autovacuum = await autovacuumOn(db);
  const standIn = !autovacuum && args.vacuum === 'stand-in';
  if (!autovacuum)
    log(
      standIn
        ? "the server's autovacuum is off: the soak vacuums the bounded tables before each sample in its place (--vacuum none: don't)"
        : "the server's autovacuum is off and --vacuum none: pruned rows' space is never reused",
    );
  const started = performance.now();
  let loading = true;
  const sampling = (async () => {
    while (loading) {
      if (standIn) await vacuumBoundedTables(db);
      const atS = Math.round((performance.now() - started) / 1000);
      samples.push({ atS, tables: await sampleTables(db), processes: await sampleProcesses(services) });
      const inbox = samples.at(-1)?.tables['orders.inbox'];
      log(`${atS} s: orders.inbox ${inbox?.rows} rows ${inbox?.bytes} B`);
      const next = started + samples.length * sampleS * 1000;
      while (loading && performance.now() < next) await sleep(250);
    }
  })();
  let orders = 0;
  const ctx = { client, tracker, mixed: false, runId, nextOrderNumber: () => orders++ };
  log(`${rate} orders/s for ${minutes} min, a sample every ${sampleS} s`);
  const load = await runOpenLoop(ctx, { rate, durationS: minutes * 60, drainS: 30 });
  loading = false;
  await sampling;
  client.close();
  await tracker.stop();
  await db.end();
  return { load, samples, vacuum: autovacuum ? 'autovacuum' : standIn ? 'stand-in' : 'none' };
}

/** The judged series: each bounded table's bytes, each service's RSS (kB) and heap in use (bytes). */
function judgedSeries(samples: readonly SoakSample[]): Record<string, number[]> {
  const series: Record<string, number[]> = {};
  for (const table of boundedTables)
    series[`${table} bytes`] = samples.map((s) => s.tables[table]?.bytes ?? 0);
  for (const name of Object.keys(samples[0]?.processes ?? {})) {
    series[`${name} rss`] = samples.map((s) => s.processes[name]?.rssKb ?? 0);
    series[`${name} heap`] = samples.map((s) => s.processes[name]?.heapUsedBytes ?? 0);
  }
  return series;
}

/** Flatness (last third vs middle third) and the trend over the last half of the run, per series. */
function judge(samples: readonly SoakSample[]) {
  const verdicts: Record<string, ReturnType<typeof judgeFlatness>> = {};
  const trends: Record<string, ReturnType<typeof trendOf>> = {};
  for (const [what, values] of Object.entries(judgedSeries(samples))) {
    verdicts[what] = judgeFlatness(values, tolerance);
    const points = values.map((value, i) => ({ atS: samples[i]?.atS ?? 0, value }));
    trends[what] = trendOf(points, (minutes * 60) / 2);
  }
  return { verdicts, trends };
}

let exitCode = 0;
try {
  log(`run ${runId}; results will go to ${relative(repoRoot, jsonPath)}`);
  const { load, samples, vacuum } = await soak();
  const { verdicts, trends } = judge(samples);
  const flat = Object.values(verdicts).every((v) => v?.flat !== false);
  const record = {
    runId,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { minutes, rate, sampleS, tolerance, env: { ...retentionEnv, ...extra } },
    vacuum,
    flatness: 'mean of the last third ≤ (1 + tolerance) × mean of the middle third',
    trend: 'least-squares slope over the last half of the run: per minute, and × 10 ÷ mean',
    load: { ...load, latencyMs: load.latencyMs },
    verdicts,
    trends,
    flat,
    samples,
  };
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, `${JSON.stringify(record, null, 2)}\n`);
  for (const [what, v] of Object.entries(verdicts)) {
    const t = trends[what];
    const trend = t
      ? `  last half ${t.perMinute}/min (${(t.per10MinShare * 100).toFixed(1)} % per 10 min)`
      : '';
    console.log(
      `${what.padEnd(28)} ${v ? `${v.flat ? 'flat' : 'GROWS'}  middle ${v.middleMean}  last ${v.lastMean}  (${(v.growth * 100).toFixed(1)} %)${trend}` : 'too few samples'}`,
    );
  }
  console.log(
    `\n${load.completed}/${load.sent} sagas completed, errors ${load.errors.total}; ${flat ? 'everything judged is flat' : 'NOT flat'}\nrecord: ${relative(repoRoot, jsonPath)}`,
  );
  if (!flat || load.errors.total > 0) exitCode = 1;
} catch (error) {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  exitCode = 1;
} finally {
  await system.stop();
  await environment
    .deleteTopics(topicsWithPrefix(topicPrefix), topicPrefix)
    .catch((error: unknown) => log(`could not delete the soak's topics: ${(error as Error).message}`));
}
process.exit(exitCode);
