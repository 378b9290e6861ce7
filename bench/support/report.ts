/** The results file's shape and the one table the bench prints. */

import type { HeapSummary } from '../heap-summary.ts';
import type { ProfileSummary } from '../profile-summary.ts';
import type { CpuBudget } from './cpu-budget.ts';
import { type CpuSpeed, SPEED_DRIFT_WARNING, speedDrift } from './cpu-speed.ts';
import type { DbCeiling } from './db-ceiling.ts';
import type { EchoCeiling } from './echo-ceiling.ts';
import type { KernelWorkReport } from './kernel-work.ts';
import type { LoadPointResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import { formatServerSettings, type ServerSettings } from './pg-settings.ts';
import type { DbCounters } from './pg-stats.ts';
import type { CpuReport, RssWindow } from './process-stats.ts';
import { sagaStages } from './saga-stages.ts';
import type { WalPerSaga } from './wal-stats.ts';

/** How a point is named in the bench's log lines, its table and bench:ab's comparison. */
export const pointLabel = (p: Pick<LoadPointResult, 'kind' | 'target'>): string =>
  p.kind === 'open' ? `open ${p.target}/s` : `closed c=${p.target}`;

export interface MeasuredPoint extends LoadPointResult {
  /** Sustained: every saga completed without error and p99 ≤ 1 s (no growing backlog). */
  sustained: boolean;
  cpu: CpuReport;
  /** CPU milliseconds per completed saga, by process. */
  cpuMsPerSaga: Record<string, number>;
  /**
   * Context switches and read/write system calls per completed saga, by process and for the whole
   * machine (support/kernel-work.ts); null when the point completed none. Absent in older results.
   */
  kernelPerSaga?: KernelWorkReport | null;
  db: (DbCounters & { xactPerS: number; xactPerSaga: number | null }) | null;
  /** The Postgres server's write-ahead log per saga and checkpoints during the point; absent in older results. */
  wal?: WalPerSaga | null;
  rssKb: Record<string, RssWindow>;
  /** CLOCK_MONOTONIC µs bounds of the point (the clock of .cpuprofile files), for profile-summary.ts. */
  monotonicWindowUs: { from: number; to: number };
  /** sagasPerS ÷ the saga ceiling (filled in once the ceilings are measured). */
  ratioToCeiling: number | null;
}

export interface BenchResults {
  version: 1;
  runId: string;
  startedAt: string;
  finishedAt: string;
  command: string;
  host: {
    cpus: number;
    memoryMb: number;
    node: string;
    loadAverage: number[];
    /** Single-threaded speed before the services started and after they stopped (support/cpu-speed.ts). */
    cpuSpeed: { atStart: CpuSpeed | null; atEnd: CpuSpeed | null };
  };
  options: BenchOptions;
  system: {
    mode: 'started' | 'reused';
    orchestratorUrl: string;
    topicPrefix: string;
    databaseUrl: string | null;
    partitions: number;
    serviceEnv: Record<string, string>;
    pids: Record<string, number | null | number[]>;
    /** Each service's command line as it ran (/proc/<pid>/cmdline, read after start): node flags included. */
    commandLines: Record<string, string[] | null>;
    /** The Postgres server's settings that bear on the figures (support/pg-settings.ts); absent in older results. */
    postgresSettings?: ServerSettings | null;
  };
  points: MeasuredPoint[];
  /** Open-loop rates not run because a lower one was already beyond capacity. */
  skippedRates: number[];
  /** Open-loop rates added by --refine, in the order run (after the rates of the grid). */
  refinedRates: number[];
  ceilings: {
    echo: EchoCeiling | null;
    db: DbCeiling | null;
    /** min(echo/3, db): the most sagas/s this broker and database allow. */
    sagasPerS: number | null;
    limitedBy: 'broker' | 'database' | null;
  };
  summary: {
    /** Highest open-loop rate that was sustained. */
    maxSustainedRate: number | null;
    /** Best completed sagas/s of any point. */
    bestSagasPerS: number;
    /** p99 POST→terminal at the open-loop rate 500, if measured. */
    p99AtRate500Ms: number | null;
    /** bestSagasPerS ÷ ceilings.sagasPerS (the best point, sustained or not). */
    ratio: number | null;
    /** Completed sagas/s at maxSustainedRate (a little below the rate offered: the window includes the last sagas' latency). */
    sustainedSagasPerS: number | null;
    /**
     * sustainedSagasPerS ÷ ceilings.sagasPerS, to three places: what the goal "half of what the broker
     * and database allow" uses (compared before rounding).
     */
    sustainedRatio: number | null;
    /** The CPU per saga half the ceiling allows, against what the best point spent (support/cpu-budget.ts). */
    cpuBudget: CpuBudget | null;
    errors: number;
    deadLetters: number | null;
    goals: {
      sustained1000: boolean | null;
      p99At500Within250: boolean | null;
      halfOfCeiling: boolean | null;
    };
  };
  memory: { whole: Record<string, RssWindow> };
  database: { rowsPerSaga: Record<string, { inserted: number; updated: number; deleted: number }> | null };
  eventsSeen: Record<string, number>;
  profiles: Array<{ service: string; summary: ProfileSummary }>;
  heapProfiles: Array<{ service: string; summary: HeapSummary }>;
  logDir: string | null;
}

const pad = (value: string, width: number) => value.padStart(width);
const num = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

/** CPU columns: the services, the infrastructure and the bench itself, in % of one core. */
const cpuColumns: Array<{ header: string; keys: string[] }> = [
  { header: 'orch', keys: ['orchestrator'] },
  { header: 'inv', keys: ['inventory'] },
  { header: 'pay', keys: ['payment'] },
  { header: 'ship', keys: ['shipping'] },
  { header: 'kafka', keys: ['kafka'] },
  { header: 'pg', keys: ['postgres: bench db', 'postgres: background'] },
  { header: 'reg', keys: ['registry'] },
  { header: 'bench', keys: ['bench driver'] },
  { header: 'other', keys: ['postgres: other dbs', '(unattributed)'] },
];

const cpuOf = (cpu: CpuReport, keys: readonly string[]): number =>
  keys.reduce(
    (sum, key) =>
      sum +
      (key === '(unattributed)' ? cpu.unattributed.percentOfCore : (cpu.byProcess[key]?.percentOfCore ?? 0)),
    0,
  );

const speedOf = (speed: CpuSpeed | null) =>
  speed === null ? '-' : `${speed.kops} (${speed.minKops}–${speed.maxKops})`;

/** Per point, p50 / p99 of each stage of the sagas completed on the happy path (support/saga-stages.ts). */
function formatStages(points: readonly MeasuredPoint[]): string[] {
  const withStages = points.filter((p) => p.stageLatencyMs?.accept);
  if (withStages.length === 0) return [];
  const lines = [
    "where a completed saga's time goes, p50 / p99 ms: accept = POST → OrderPlaced produced; inventory, payment, shipping = each step from the previous lifecycle event to the next; observe = OrderCompleted produced → seen by the bench",
    [pad('point', 12), ...sagaStages.map((stage) => pad(stage, 13))].join(' '),
  ];
  for (const p of withStages)
    lines.push(
      [
        pad(pointLabel(p), 12),
        ...sagaStages.map((stage) => {
          const l = p.stageLatencyMs[stage];
          return pad(l ? `${num(l.p50)} / ${num(l.p99)}` : '-', 13);
        }),
      ].join(' '),
    );
  return lines;
}

/** One row of the kernel-work block: a label and its counts per saga, in the CPU table's columns. */
function kernelWorkRow(
  label: string,
  k: KernelWorkReport,
  keyOf: (key: string) => string = (key) => key,
): string {
  const cell = (keys: readonly string[]) => {
    const works = keys.flatMap((key) => k.byProcess[keyOf(key)] ?? []);
    if (works.length === 0) return '-';
    const switches = works.reduce((sum, w) => sum + w.contextSwitches, 0);
    const syscalls = works.some((w) => w.ioSyscalls === null)
      ? null
      : works.reduce((sum, w) => sum + (w.ioSyscalls ?? 0), 0);
    return `${num(switches, 1)} / ${num(syscalls, 1)}`;
  };
  const other = (k.byProcess['postgres: other dbs']?.contextSwitches ?? 0) + k.unattributedContextSwitches;
  return [
    pad(label, 12),
    ...kernelColumns.map((c) => pad(cell(c.keys), 11)),
    pad(num(other, 1), 7),
    pad(num(k.machineContextSwitches, 1), 8),
  ].join(' ');
}

const kernelColumns = cpuColumns.filter((c) => c.header !== 'other');

/**
 * Per point, context switches and read/write system calls per saga, in the CPU table's columns; then
 * the ceilings' (the echo's best window per three round trips, its responder in the "orch" column;
 * the database ceiling per saga, its client in the "bench" column), where measured.
 */
export function formatKernelWork(
  points: readonly MeasuredPoint[],
  ceilings: Partial<Pick<BenchResults['ceilings'], 'echo' | 'db'>> = {},
): string[] {
  const rows: string[] = [];
  for (const p of points) if (p.kernelPerSaga) rows.push(kernelWorkRow(pointLabel(p), p.kernelPerSaga));
  const { echo, db } = ceilings;
  const bestEcho = echo?.windows.find((w) => w.roundTripsPerS === echo.roundTripsPerS);
  if (bestEcho?.kernelPerSaga)
    rows.push(
      kernelWorkRow('ceil echo/3', bestEcho.kernelPerSaga, (key) =>
        key === 'orchestrator' ? 'echo responder' : key,
      ),
    );
  if (db?.kernelPerSaga) rows.push(kernelWorkRow('ceil db', db.kernelPerSaga));
  if (rows.length === 0) return [];
  return [
    'kernel work per saga (counts, not times; they fall as batches grow): context switches / read+write system calls; other = context switches of everything else; machine = all context switches',
    [
      pad('point', 12),
      ...kernelColumns.map((c) => pad(c.header, 11)),
      pad('other', 7),
      pad('machine', 8),
    ].join(' '),
    ...rows,
  ];
}

/**
 * Per point and for the database ceiling, the Postgres server's write-ahead log per saga and the
 * checkpoints that started meanwhile (support/wal-stats.ts), where measured.
 */
export function formatWal(points: readonly MeasuredPoint[], db: DbCeiling | null = null): string[] {
  const row = (label: string, w: WalPerSaga) =>
    [
      pad(label, 12),
      pad(num(w.kbPerSaga, 1), 8),
      pad(num(w.fullPageImagesPerSaga, 2), 8),
      pad(num(w.recordsPerSaga, 1), 8),
      pad(String(w.checkpoints), 12),
    ].join(' ');
  const rows: string[] = [];
  for (const p of points) if (p.wal) rows.push(row(pointLabel(p), p.wal));
  if (db?.wal) rows.push(row('ceil db', db.wal));
  if (rows.length === 0) return [];
  return [
    "Postgres write-ahead log per saga (whole server): KB, full-page images (a page's first change after a checkpoint), records; checkpoints started during the point",
    [pad('point', 12), pad('KB', 8), pad('FPI', 8), pad('records', 8), pad('checkpoints', 12)].join(' '),
    ...rows,
  ];
}

export function formatTable(results: BenchResults): string {
  const header = [
    pad('point', 12),
    pad('sent', 7),
    pad('sagas/s', 8),
    pad('p50', 7),
    pad('p90', 7),
    pad('p99', 7),
    pad('max', 7),
    pad('err', 5),
    pad('429', 6),
    ...cpuColumns.map((c) => pad(c.header, 6)),
    pad('busy%', 6),
    pad('ratio', 6),
  ].join(' ');
  const lines = [
    'latencies: ms from POST (scheduled time, open loop) to the terminal event seen on order-events',
    'CPU: % of one core over the point (this machine has 2 cores = 200%); busy%: whole machine',
    header,
    '-'.repeat(header.length),
  ];
  for (const p of results.points) {
    const label = pointLabel(p);
    const l = p.latencyMs;
    lines.push(
      [
        pad(`${label}${p.sustained ? '' : '*'}`, 12),
        pad(String(p.sent), 7),
        pad(num(p.sagasPerS, 1), 8),
        pad(num(l?.p50), 7),
        pad(num(l?.p90), 7),
        pad(num(l?.p99), 7),
        pad(num(l?.max), 7),
        pad(String(p.errors.total), 5),
        pad(String(p.refused ?? 0), 6),
        ...cpuColumns.map((c) => pad(num(cpuOf(p.cpu, c.keys)), 6)),
        pad(num(p.cpu.machineBusyPercent), 6),
        pad(num(p.ratioToCeiling, 2), 6),
      ].join(' '),
    );
  }
  const { echo, db } = results.ceilings;
  if (echo) {
    const best = echo.windows.find((w) => w.roundTripsPerS === echo.roundTripsPerS);
    lines.push(
      [
        pad('ceil echo/3', 12),
        pad(String(best?.roundTrips ?? '-'), 7),
        pad(num(echo.sagasPerS), 8),
        pad(num(best?.latencyMs?.p50), 7),
        pad(num(best?.latencyMs?.p90), 7),
        pad(num(best?.latencyMs?.p99), 7),
        pad(num(best?.latencyMs?.max), 7),
        pad('', 5),
        pad('', 6),
        ...cpuColumns.map((c) =>
          pad(
            best
              ? num(
                  cpuOf(
                    best.cpu,
                    c.keys.map((k) => (k === 'orchestrator' ? 'echo responder' : k)),
                  ),
                )
              : '-',
            6,
          ),
        ),
        pad(num(best?.cpu.machineBusyPercent), 6),
        pad('', 6),
      ].join(' '),
    );
  }
  if (db) {
    lines.push(
      [
        pad('ceil db', 12),
        pad('', 7),
        pad(num(db.sagasPerS), 8),
        ...Array.from({ length: 4 }, () => pad('', 7)),
        pad('', 5),
        pad('', 6),
        ...cpuColumns.map((c) => pad(num(cpuOf(db.cpu, c.keys)), 6)),
        pad(num(db.cpu.machineBusyPercent), 6),
        pad('', 6),
      ].join(' '),
    );
  }
  lines.push('-'.repeat(header.length));
  lines.push(
    '* = not sustained (an error, an order refused with 429, a saga unfinished within the drain time, or p99 > 1 s)',
  );
  if (results.skippedRates.length > 0)
    lines.push(
      `skipped open-loop rates ${results.skippedRates.join(', ')} (a lower rate was already beyond capacity)`,
    );
  if (results.refinedRates.length > 0)
    lines.push(
      `refinement (--refine): open-loop rates ${results.refinedRates.join(', ')}, run after the others to narrow down the highest sustained rate`,
    );
  if (echo)
    lines.push(
      `broker ceiling: ${echo.roundTripsPerS} echo round trips/s (best of windows ${echo.windows.map((w) => `${w.window}: ${w.roundTripsPerS}/s`).join(', ')}) → ${echo.sagasPerS} sagas/s; in the echo row "orch" is the echo responder`,
    );
  if (db)
    lines.push(
      `database ceiling: ${db.sagasPerS} sagas/s, ${db.transactionsPerS} transactions/s, ${db.transactionsPerSaga} transactions/saga (orders per creation transaction ${db.createBatch}; mean batch: creation ${db.meanBatch.create}, participant ${db.meanBatch.participant}, orchestrator ${db.meanBatch.orchestrator}, relay ${db.meanBatch.relay})`,
    );
  lines.push(...formatStages(results.points));
  lines.push(...formatKernelWork(results.points, results.ceilings));
  lines.push(...formatWal(results.points, results.ceilings.db));
  const s = results.summary;
  lines.push(
    `saga ceiling min(echo/3, db) = ${num(results.ceilings.sagasPerS)} sagas/s (${results.ceilings.limitedBy ?? '-'}); best measured ${num(s.bestSagasPerS, 1)} sagas/s, ratio ${num(s.ratio, 2)}; max sustained rate ${num(s.maxSustainedRate)}/s (${num(s.sustainedSagasPerS, 1)} sagas/s), ratio ${num(s.sustainedRatio, 3)}`,
  );
  const budget = s.cpuBudget;
  if (budget)
    lines.push(
      `CPU budget: half the ceiling (${budget.targetSagasPerS} sagas/s) allows ${num(budget.allowedMsPerSaga, 2)} ms of machine CPU per saga; the best point spent ${num(budget.spentMsPerSaga, 2)} ms${budget.toSave > 0 ? ` (${Math.round(100 * budget.toSave)} % to save)` : ' (within budget)'}`,
    );
  const goal = (v: boolean | null) => (v === null ? 'not measured' : v ? 'met' : 'NOT met');
  lines.push(
    `goals: ≥1000 sagas/s sustained: ${goal(s.goals.sustained1000)} (max sustained rate ${num(s.maxSustainedRate)}/s); p99 ≤ 250 ms at 500/s: ${goal(s.goals.p99At500Within250)} (${num(s.p99AtRate500Ms)} ms); ≥ half of the ceiling sustained: ${goal(s.goals.halfOfCeiling)}`,
  );
  lines.push(`errors: ${s.errors}; dead letters: ${num(s.deadLetters)}`);
  const speed = results.host.cpuSpeed;
  lines.push(
    `machine speed: ${speedOf(speed.atStart)} kops/s before the load, ${speedOf(speed.atEnd)} after (median, slowest–fastest of five 200 ms samples, bench/support/cpu-speed.ts; it shows the CPU drifting during a run, not how fast the system will be: compare builds in interleaved runs)`,
  );
  const drift = speedDrift(speed.atStart, speed.atEnd);
  if (drift !== null && Math.abs(drift) > SPEED_DRIFT_WARNING)
    lines.push(
      `WARNING: the machine's speed changed by ${drift > 0 ? '+' : ''}${Math.round(100 * drift)} % from the start of the run to its end: its points may have met different machine states and may not compare with each other`,
    );
  const serverLine = formatServerSettings(results.system.postgresSettings);
  if (serverLine) lines.push(serverLine);
  const mem = results.memory.whole.orchestrator;
  if (mem)
    lines.push(
      `orchestrator RSS: ${Math.round(mem.startKb / 1024)} MiB at start, ${Math.round(mem.endKb / 1024)} MiB at end, peak ${Math.round(mem.peakKb / 1024)} MiB; median by tenth of the run: ${mem.byTenthKb.map((kb) => Math.round(kb / 1024)).join(' ')} MiB`,
    );
  return lines.join('\n');
}
