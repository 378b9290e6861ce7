/** The results file's shape and the tables the bench prints. */

import type { MeasuredPoint } from './bench-system.ts';
import { type CpuSpeed, SPEED_DRIFT_WARNING, speedDrift } from './cpu-speed.ts';
import type { DbCeiling } from './db-ceiling.ts';
import type { EchoCeiling } from './echo-ceiling.ts';
import type { cpuBudget, judgeGoals } from './goals.ts';
import type { LoadPointResult } from './load.ts';
import type { BenchOptions } from './options.ts';
import type { RowsWritten, WalPerSaga } from './postgres-stats.ts';
import type { CpuReport, PerSaga, RssWindow } from './proc-stats.ts';
import type { ProfileSummary } from './profiles.ts';
import { sagaStages } from './saga-stages.ts';

/** How a point is named in the bench's log lines, its tables and bench:ab's comparison. */
export const pointLabel = (p: Pick<LoadPointResult, 'kind' | 'target'>): string =>
  p.kind === 'open' ? `open ${p.target}/s` : `closed c=${p.target}`;

type Counts = { cpuBudget: ReturnType<typeof cpuBudget>; errors: number; deadLetters: number };

export interface BenchResults {
  version: 2;
  runId: string;
  startedAt: string;
  finishedAt: string;
  command: string;
  host: {
    cpus: number;
    node: string;
    loadAverage: number[];
    /** Single-threaded speed before the services started and after they stopped (support/cpu-speed.ts). */
    cpuSpeed: { atStart: CpuSpeed; atEnd: CpuSpeed } | null;
  };
  options: BenchOptions;
  system: {
    topicPrefix: string;
    databaseUrl: string;
    /** Settings of the services' environment that bear on the figures (SAGA_, DB_, --env…). */
    serviceEnv: Record<string, string | undefined>;
    pids: Record<string, number | null>;
    /** Each service's command line as it ran (/proc/<pid>/cmdline): node flags included. */
    commandLines: Record<string, string[] | null>;
  };
  points: MeasuredPoint[];
  /** Open-loop rates not run because a lower one was already beyond capacity; rates --refine added. */
  skippedRates: number[];
  refinedRates: number[];
  ceilings: {
    echo: EchoCeiling | null;
    db: DbCeiling | null;
    /** min(echo ÷ 3, db): the most sagas/s this broker and database allow. */
    sagasPerS: number | null;
    limitedBy: 'broker' | 'database' | null;
  };
  summary: ReturnType<typeof judgeGoals> & Counts;
  memory: Record<string, RssWindow>;
  /** Rows written per saga and table, over the whole run. */
  rowsPerSaga: RowsWritten | null;
  /** --profile's and --heap-profile's summaries, by service (support/profiles.ts). */
  profiles: ProfileSummary[];
  logDir: string;
}

const num = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined ? '-' : value.toFixed(digits);

/** Right-aligned columns under a header; a column's width is its header's or its widest cell's. */
function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  return [line(header), ...rows.map(line)];
}

/** CPU columns: the services, the infrastructure and the bench itself, in % of one core. */
const cpuColumns: ReadonlyArray<[string, string[]]> = [
  ['orch', ['orchestrator', 'echo responder']],
  ['inv', ['inventory']],
  ['pay', ['payment']],
  ['ship', ['shipping']],
  ['kafka', ['kafka']],
  ['pg', ['postgres: bench db', 'postgres: background']],
  ['reg', ['registry']],
  ['bench', ['bench driver']],
  ['other', ['postgres: other dbs']],
];
const cpuCells = (cpu: CpuReport): string[] =>
  cpuColumns.map(([header, keys]) =>
    num(
      keys.reduce((sum, key) => sum + (cpu.byProcess[key]?.percentOfCore ?? 0), 0) +
        (header === 'other' ? cpu.unattributed.percentOfCore : 0),
    ),
  );

/** Work per saga: machine CPU and context switches, system calls of the measured processes, WAL. */
function perSagaCells(p: PerSaga | null, commits: number | null, wal: WalPerSaga | null): string[] {
  const calls = Object.values(p?.byProcess ?? {}).map((w) => w.ioSyscalls);
  const total = calls.includes(null) ? null : calls.reduce((sum: number, c) => sum + (c ?? 0), 0);
  const cells = [p?.machineCpuMs, commits, p?.machineContextSwitches, total, wal?.kbPerSaga];
  return [
    ...cells.map((v, i) => num(v, i === 0 ? 2 : 1)),
    num(wal?.fullPageImagesPerSaga, 2),
    num(wal?.recordsPerSaga, 1),
    num(wal?.checkpoints),
  ];
}

type Latency = { p50: number; p90: number; p99: number; max: number } | null;
/** A row of the main table: its label, the load's figures (blank for a ceiling), CPU and ratio. */
const mainRow = (
  label: string,
  cells: Array<string | number>,
  latency: Latency,
  cpu: CpuReport,
  ratio = '',
) => [
  label,
  ...cells.map(String),
  ...[latency?.p50, latency?.p90, latency?.p99, latency?.max].map((v) => num(v)),
  ...cpuCells(cpu),
  num(cpu.machineBusyPercent),
  ratio,
];

export function formatTable(results: BenchResults): string {
  const { echo, db } = results.ceilings;
  const bestEcho = echo?.windows.find((w) => w.roundTripsPerS === echo.roundTripsPerS);
  const header = 'point sent sagas/s err 429 p50 p90 p99 max'.split(' ');
  const main = table(
    [...header, ...cpuColumns.map(([h]) => h), 'busy%', 'ratio'],
    [
      ...results.points.map((p) => {
        const cells = [p.sent, num(p.sagasPerS, 1), p.errors.total, p.refused];
        return mainRow(
          `${pointLabel(p)}${p.sustained ? '' : '*'}`,
          cells,
          p.latencyMs,
          p.cpu,
          num(p.ratioToCeiling, 2),
        );
      }),
      ...(echo && bestEcho
        ? [
            mainRow(
              'ceil echo/3',
              [bestEcho.roundTrips, echo.sagasPerS, '', ''],
              bestEcho.latencyMs,
              bestEcho.cpu,
            ),
          ]
        : []),
      ...(db ? [mainRow('ceil db', ['', db.sagasPerS, '', ''], null, db.cpu)] : []),
    ],
  );
  const lines = [
    'latencies: ms from POST (its scheduled time in the open loop) to the terminal event seen on order-events',
    'CPU: % of one core over the point (200 % = both cores of a 2-core machine); busy%: the whole machine; in the echo row "orch" is the echo responder',
    ...main,
    '* = not sustained (an error, an order refused with 429, a saga unfinished within the drain time, or p99 > 1 s)',
  ];
  const skipped = results.skippedRates.join(', ');
  const echoWindows = echo?.windows.map((w) => `${w.window}: ${w.roundTripsPerS}/s`).join(', ');
  const notes = [
    skipped && `skipped open-loop rates ${skipped} (a lower rate was already beyond capacity)`,
    results.refinedRates.length > 0 && `rates added by --refine: ${results.refinedRates.join(', ')}`,
    echo &&
      `broker ceiling: ${echo.roundTripsPerS} echo round trips/s (windows ${echoWindows}) → ${echo.sagasPerS} sagas/s`,
    db &&
      `database ceiling: ${db.sagasPerS} sagas/s, ${db.transactionsPerS} commits/s (${db.transactionsPerSaga} per saga); ${db.inflight} orders in flight, ${db.meanBatch} messages per consumer transaction`,
  ];
  lines.push(...notes.filter((note) => typeof note === 'string'));

  const staged = results.points.filter((p) => p.stageLatencyMs.accept);
  if (staged.length > 0)
    lines.push(
      "\nwhere a completed saga's time goes, p50 / p99 ms: accept = POST → OrderPlaced produced; inventory, payment, shipping = from one lifecycle event to the next; observe = OrderCompleted produced → seen",
      ...table(
        ['point', ...sagaStages],
        staged.map((p) => [
          pointLabel(p),
          ...sagaStages.map((s) => `${num(p.stageLatencyMs[s]?.p50)} / ${num(p.stageLatencyMs[s]?.p99)}`),
        ]),
      ),
    );
  lines.push(
    '\nper saga: machine CPU ms; commits; context switches (machine); read/write system calls (measured processes); Postgres WAL KB, full-page images, records; checkpoints in the window',
    ...table(
      ['point', 'cpu ms', 'commits', 'switches', 'syscalls', 'WAL KB', 'FPI', 'records', 'ckpt'],
      [
        ...results.points.map((p) => [pointLabel(p), ...perSagaCells(p.perSaga, p.db.xactPerSaga, p.wal)]),
        ...(bestEcho ? [['ceil echo/3', ...perSagaCells(bestEcho.perSaga, null, null)]] : []),
        ...(db ? [['ceil db', ...perSagaCells(db.perSaga, db.transactionsPerSaga, db.wal)]] : []),
      ],
    ),
  );

  const s = results.summary;
  const ceiling = results.ceilings.sagasPerS;
  lines.push(
    `\nsaga ceiling min(echo/3, db) = ${num(ceiling)} sagas/s (${results.ceilings.limitedBy ?? '-'}); best ${num(s.bestSagasPerS, 1)} sagas/s, ratio ${num(s.ratio, 2)}; highest sustained rate ${num(s.maxSustainedRate)}/s (${num(s.sustainedSagasPerS, 1)} sagas/s), ratio ${num(s.sustainedRatio, 3)}`,
  );
  const b = s.cpuBudget;
  if (b)
    lines.push(
      `CPU budget: half the ceiling (${b.targetSagasPerS} sagas/s) allows ${num(b.allowedMsPerSaga, 2)} ms of machine CPU per saga; the best point spent ${num(b.spentMsPerSaga, 2)} ms${b.toSave > 0 ? ` (${Math.round(100 * b.toSave)} % to save)` : ' (within budget)'}`,
    );
  const goal = (v: boolean | null) => (v === null ? 'not measured' : v ? 'met' : 'NOT met');
  lines.push(
    `goals: ≥1000 sagas/s sustained: ${goal(s.goals.sustained1000)}; p99 ≤ 250 ms at 500/s: ${goal(s.goals.p99At500Within250)} (${num(s.p99AtRate500Ms)} ms); ≥ half of the ceiling sustained: ${goal(s.goals.halfOfCeiling)}`,
    `errors: ${s.errors}; dead letters: ${s.deadLetters}`,
  );
  const speed = results.host.cpuSpeed;
  if (speed) {
    const of = (c: CpuSpeed) => `${c.kops} (${c.minKops}–${c.maxKops})`;
    lines.push(
      `machine speed: ${of(speed.atStart)} kops/s before the load, ${of(speed.atEnd)} after (support/cpu-speed.ts: the CPU drifting during the run; builds compare only in interleaved runs)`,
    );
    const drift = speedDrift(speed.atStart, speed.atEnd) ?? 0;
    if (Math.abs(drift) > SPEED_DRIFT_WARNING)
      lines.push(
        `WARNING: the machine's speed changed by ${Math.round(100 * drift)} % during the run: its points may not compare with each other`,
      );
  }
  const mem = results.memory.orchestrator;
  const mib = (kb: number) => Math.round(kb / 1024);
  if (mem)
    lines.push(
      `orchestrator RSS: ${mib(mem.startKb)} MiB at start, ${mib(mem.endKb)} at end, peak ${mib(mem.peakKb)}; median by tenth of the run: ${mem.byTenthKb.map(mib).join(' ')} MiB`,
    );
  return lines.join('\n');
}
