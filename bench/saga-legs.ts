/**
 * Splits each step of a bench run's sagas into its participant leg and its orchestrator leg, after
 * the run, from its topics (kept with `--keep-topics`): the record timestamps of the lifecycle events
 * on order-events and of the participants' replies, joined by order id (the message key). Reading
 * afterwards costs the measured system nothing. Sagas are grouped into the run's points by
 * when their OrderPlaced was produced; only sagas completed on the happy path count. Where the run's
 * database is still there (until the next bench run recreates it), the saga history's time of each
 * applied reply splits the orchestrator's legs in two.
 *
 *   node --import tsx bench/saga-legs.ts <results.json> [--json out.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadEndpoints } from '../lib/config/common-config.ts';
import { readToEnd } from '../lib/kafka/read-to-end.ts';
import { baseTopics } from '../lib/kafka/topics.ts';
import { HeaderNames, headerString } from '../lib/messaging/headers.ts';
import { benchKafka, withAdmin, withDatabaseUrlName } from './support/environment.ts';
import { LatencyRecorder, type LatencySummary } from './support/latency.ts';
import {
  appliedType,
  legDurations,
  type OrderRecordTime,
  orchestratorLegParts,
  orchestratorLegSplit,
  sagaLegs,
} from './support/saga-stages.ts';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { json: { type: 'string' } },
});
const resultsFile = positionals[0];
if (resultsFile === undefined) {
  console.error('usage: node --import tsx bench/saga-legs.ts <results.json> [--json out.json]');
  process.exit(2);
}

interface RunPoint {
  kind: 'open' | 'closed';
  target: number;
  durationS: number;
  window: { startEpochMs: number };
}
const run = JSON.parse(readFileSync(resultsFile, 'utf8')) as {
  runId: string;
  options: { reuse: boolean };
  points: RunPoint[];
};
if (run.options.reuse) throw new Error(`${resultsFile}: a --reuse run; its topics are not the bench's own`);
const prefix = `bench-${run.runId}.`;
const topics = [
  baseTopics.orderEvents,
  baseTopics.inventoryEvents,
  baseTopics.paymentEvents,
  baseTopics.shippingEvents,
].map((t) => `${prefix}${t}`);

const recordsByOrder = new Map<string, OrderRecordTime[]>();
const existing = new Set(await withAdmin((admin) => admin.listTopics()));
const missing = topics.filter((t) => !existing.has(t));
if (missing.length > 0)
  throw new Error(
    `${missing.join(', ')} not found: run the bench with --keep-topics to split the steps afterwards`,
  );
await readToEnd(benchKafka('bench-saga-legs'), {
  topics,
  groupId: `bench-saga-legs-${run.runId}-${Date.now()}`,
  timeoutMs: 120_000,
  onMessage: (_topic, _partition, message) => {
    const type = headerString(message.headers, HeaderNames.recordType);
    const orderId = message.key?.toString();
    if (type === undefined || orderId === undefined) return;
    let records = recordsByOrder.get(orderId);
    if (records === undefined) {
      records = [];
      recordsByOrder.set(orderId, records);
    }
    records.push({ type, atEpochMs: Number(message.timestamp) });
  },
});

// Where the run's database is still there (the bench recreates it at the start of every run), the
// history says when the orchestrator applied each reply: that splits its legs in two.
const databaseUrl =
  process.env.BENCH_DATABASE_URL ?? withDatabaseUrlName(loadEndpoints().databaseUrl, 'order_saga_bench');
let applied = 0;
const db = new pg.Client({ connectionString: databaseUrl, application_name: 'bench-saga-legs' });
try {
  await db.connect();
  const { rows } = await db.query<{ order_id: string; type: string; at: Date }>(
    "select order_id, type, at from orders.saga_history where kind = 'reply_received'",
  );
  for (const row of rows) {
    const records = recordsByOrder.get(row.order_id);
    if (records === undefined) continue;
    records.push({ type: appliedType(row.type), atEpochMs: row.at.getTime() });
    applied += 1;
  }
} catch (error) {
  console.error(`no history from ${databaseUrl} (${(error as Error).message}): orchestrator legs not split`);
} finally {
  await db.end().catch(() => undefined);
}

// A saga belongs to the last point that had started when its OrderPlaced was produced: points follow
// each other only once the sagas of the one before have finished.
const points = [...run.points].sort((a, b) => a.window.startEpochMs - b.window.startEpochMs);
const figures = [...sagaLegs, ...orchestratorLegParts];
type Figure = (typeof figures)[number];
const recorders = points.map(() => new Map(figures.map((f) => [f, new LatencyRecorder()])));
let unassigned = 0;
for (const records of recordsByOrder.values()) {
  const legs = legDurations(records);
  const split = orchestratorLegSplit(records);
  const placed = records.find((r) => r.type === 'OrderPlaced')?.atEpochMs;
  if (legs === null || placed === undefined) continue;
  const index = points.findLastIndex((p) => p.window.startEpochMs <= placed);
  if (index < 0) {
    unassigned += 1;
    continue;
  }
  for (const leg of sagaLegs) recorders[index]?.get(leg)?.record(legs[leg]);
  if (split) for (const part of orchestratorLegParts) recorders[index]?.get(part)?.record(split[part]);
}

const pad = (value: string, width: number) => value.padStart(width);
const summaries = points.map((p, i) => ({
  kind: p.kind,
  target: p.target,
  legs: Object.fromEntries(figures.map((f) => [f, recorders[i]?.get(f)?.summary() ?? null])) as Record<
    Figure,
    LatencySummary | null
  >,
}));
const table = (title: string, columns: readonly Figure[]) => {
  console.log(title);
  console.log([pad('point', 12), pad('sagas', 7), ...columns.map((c) => pad(c, 22))].join(' '));
  for (const s of summaries)
    console.log(
      [
        pad(s.kind === 'open' ? `open ${s.target}/s` : `closed c=${s.target}`, 12),
        pad(String(s.legs[columns[0] as Figure]?.count ?? 0), 7),
        ...columns.map((c) => {
          const l = s.legs[c];
          return pad(l ? `${Math.round(l.p50)} / ${Math.round(l.p99)}` : '-', 22);
        }),
      ].join(' '),
    );
};
console.log(`${resultsFile}: ${recordsByOrder.size} orders read from ${prefix}*`);
table(
  'legs, p50 / p99 ms, sagas completed on the happy path (participant = command published → reply produced; orchestrator = reply → next lifecycle event produced):',
  sagaLegs,
);
if (applied === 0)
  console.log(
    `no saga history of these orders in ${databaseUrl} (a later bench run recreated it): the orchestrator's legs are not split`,
  );
else
  table(
    "the orchestrator's legs split where it applied the reply (toApply = reply produced → applied, from the saga history; toPublish = applied → next lifecycle event produced):",
    orchestratorLegParts,
  );
console.log(`(${unassigned} happy sagas placed before the first point: the warm-up)`);
console.log(`reproduce: node --import tsx bench/saga-legs.ts ${resultsFile}`);
if (values.json)
  writeFileSync(values.json, `${JSON.stringify({ resultsFile, points: summaries }, null, 2)}\n`);
