/**
 * Two builds or settings, A and B, compared point by point over interleaved pairs of bench runs
 * (`npm run bench:ab`). On this VM the same code ran up to 3× faster or slower from one hour to the
 * next, so only runs of one sitting compare, pair by pair: each pair's two runs are minutes apart.
 *
 * Per metric it counts the pairs in which B did better and worse, and runs a two-sided sign test on
 * those counts: the chance that a coin would split the pairs at least as unevenly. It assumes
 * nothing about how the figures are distributed (they are not normal: a run can be 2× off), but it
 * needs pairs: with n pairs the smallest p it can give is 2 ÷ 2^n, so 6 pairs are needed for p < 0.05.
 */
import { type BenchResults, type MeasuredPoint, pointLabel } from './report.ts';

export type Arm = 'a' | 'b';

/** What the comparison reads of a results file. */
export type ResultsForComparison = {
  host: Pick<BenchResults['host'], 'cpus'>;
  points: Array<
    Pick<MeasuredPoint, 'kind' | 'target' | 'completed' | 'sagasPerS'> & {
      latencyMs: Pick<NonNullable<MeasuredPoint['latencyMs']>, 'p50' | 'p99'> | null;
      cpu: Pick<MeasuredPoint['cpu'], 'wallSeconds' | 'machineBusyPercent'>;
      /** Absent in results from before the kernel-work counts. */
      kernelPerSaga?: { machineContextSwitches: number } | null;
      /** Null when the database's counters were not read (--reuse without DATABASE_URL). */
      db?: { xactPerSaga: number | null } | null;
    }
  >;
};

export interface PairedRun {
  pair: number;
  arm: Arm;
  results: ResultsForComparison;
}

export type MetricName =
  | 'sagas/s'
  | 'p50 ms'
  | 'p99 ms'
  | 'machine CPU ms/saga'
  | 'context switches/saga'
  | 'transactions/saga';

export interface MetricComparison {
  metric: MetricName;
  better: 'higher' | 'lower';
  /** By pair, in pair order; null where that run had no figure (no saga completed). */
  a: Array<number | null>;
  b: Array<number | null>;
  medianA: number | null;
  medianB: number | null;
  /** Pairs in which B did better, worse, or the same (pairs lacking a figure are not counted). */
  bBetter: number;
  bWorse: number;
  ties: number;
  /** Two-sided sign test over the pairs that differ; 1 when none differ. */
  p: number;
  verdict: string;
}

export interface PointComparison {
  label: string;
  metrics: MetricComparison[];
}

export interface Comparison {
  pairs: number;
  points: PointComparison[];
  /** Points that not every run measured (a rate skipped after an overload, say): not compared. */
  incomplete: string[];
}

/** Significance level of the verdicts. */
export const SIGNIFICANCE = 0.05;

const metricsOf = (
  point: ResultsForComparison['points'][number],
  cores: number,
): Record<MetricName, number | null> => ({
  'sagas/s': point.sagasPerS,
  'p50 ms': point.latencyMs?.p50 ?? null,
  'p99 ms': point.latencyMs?.p99 ?? null,
  // As the CPU budget counts it: the whole machine's busy time over the point ÷ completed sagas.
  'machine CPU ms/saga':
    point.completed > 0
      ? ((point.cpu.machineBusyPercent / 100) * cores * point.cpu.wallSeconds * 1000) / point.completed
      : null,
  // The whole machine's context switches per saga (support/kernel-work.ts): how the work batched.
  'context switches/saga': point.kernelPerSaga?.machineContextSwitches ?? null,
  // Commits in the bench database per saga (pg_stat_database): how the services' work batched.
  'transactions/saga': point.db?.xactPerSaga ?? null,
});

const metricOrder: ReadonlyArray<{ metric: MetricName; better: 'higher' | 'lower' }> = [
  { metric: 'sagas/s', better: 'higher' },
  { metric: 'p50 ms', better: 'lower' },
  { metric: 'p99 ms', better: 'lower' },
  { metric: 'machine CPU ms/saga', better: 'lower' },
  { metric: 'context switches/saga', better: 'lower' },
  { metric: 'transactions/saga', better: 'lower' },
];

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** P(at least max(k, n − k) of n fair coin flips land the same way), both ways; at most 1. */
export function signTestP(k: number, n: number): number {
  if (n === 0) return 1;
  const extreme = Math.max(k, n - k);
  let tail = 0;
  let choose = 1; // C(n, 0)
  for (let i = 0; i <= n; i++) {
    if (i >= extreme) tail += choose;
    choose = (choose * (n - i)) / (i + 1);
  }
  return Math.min(1, (2 * tail) / 2 ** n);
}

const verdictOf = (m: Omit<MetricComparison, 'verdict'>): string => {
  const counted = m.bBetter + m.bWorse;
  if (counted === 0) return 'no pair differs';
  if (m.p <= SIGNIFICANCE) return `B ${m.bBetter > m.bWorse ? 'better' : 'worse'} (p = ${m.p.toFixed(3)})`;
  const best = signTestP(counted, counted);
  return best > SIGNIFICANCE
    ? `not decidable with ${counted} differing pair${counted === 1 ? '' : 's'} (p ≥ ${best.toFixed(2)} at best)`
    : `no difference beyond the spread (p = ${m.p.toFixed(2)})`;
};

const compareMetric = (
  metric: MetricName,
  better: 'higher' | 'lower',
  a: Array<number | null>,
  b: Array<number | null>,
): MetricComparison => {
  let bBetter = 0;
  let bWorse = 0;
  let ties = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x === null || x === undefined || y === null || y === undefined) continue;
    if (x === y) ties++;
    else if (better === 'higher' ? y > x : y < x) bBetter++;
    else bWorse++;
  }
  const present = (values: Array<number | null>) => values.filter((v): v is number => v !== null);
  const partial = {
    metric,
    better,
    a,
    b,
    medianA: median(present(a)),
    medianB: median(present(b)),
    bBetter,
    bWorse,
    ties,
    p: signTestP(bBetter, bBetter + bWorse),
  };
  return { ...partial, verdict: verdictOf(partial) };
};

/**
 * Compares every point that all runs measured. Throws unless every pair has exactly one run of
 * each arm (a missing run would silently pair the wrong figures).
 */
export function compareRuns(runs: readonly PairedRun[]): Comparison {
  const pairNumbers = [...new Set(runs.map((r) => r.pair))].sort((x, y) => x - y);
  const byPair = pairNumbers.map((pair) => {
    const of = (arm: Arm) => {
      const found = runs.filter((r) => r.pair === pair && r.arm === arm);
      if (found.length !== 1)
        throw new Error(
          `pair ${pair} has ${found.length} runs of ${arm.toUpperCase()}; it needs exactly one`,
        );
      return (found[0] as PairedRun).results;
    };
    return { a: of('a'), b: of('b') };
  });
  const labelsOf = (results: ResultsForComparison) => results.points.map(pointLabel);
  const all = byPair.flatMap(({ a, b }) => [a, b]);
  const everyLabel = [...new Set(all.flatMap(labelsOf))];
  const complete = everyLabel.filter((label) => all.every((r) => labelsOf(r).includes(label)));
  const points = complete.map((label): PointComparison => {
    const figures = (arm: Arm) =>
      byPair.map((pair) => {
        const results = pair[arm];
        const point = results.points.find((p) => pointLabel(p) === label);
        if (!point) throw new Error(`no point ${label}`); // excluded above
        return metricsOf(point, results.host.cpus);
      });
    const a = figures('a');
    const b = figures('b');
    return {
      label,
      metrics: metricOrder.map(({ metric, better }) =>
        compareMetric(
          metric,
          better,
          a.map((f) => f[metric]),
          b.map((f) => f[metric]),
        ),
      ),
    };
  });
  return { pairs: pairNumbers.length, points, incomplete: everyLabel.filter((l) => !complete.includes(l)) };
}

const figure = (value: number | null, metric: MetricName): string =>
  value === null
    ? '-'
    : metric === 'machine CPU ms/saga' || metric === 'transactions/saga'
      ? value.toFixed(2)
      : metric === 'context switches/saga'
        ? value.toFixed(1)
        : value.toFixed(value < 100 ? 1 : 0);

/** The comparison as text: per point, each metric's figures pair by pair, medians and verdict. */
export function formatComparison(comparison: Comparison): string {
  const lines: string[] = [];
  for (const point of comparison.points) {
    lines.push(`${point.label}:`);
    for (const m of point.metrics) {
      const pairs = m.a
        .map((x, i) => `${figure(x, m.metric)}|${figure(m.b[i] ?? null, m.metric)}`)
        .join('  ');
      lines.push(
        `  ${m.metric.padEnd(21)} A|B by pair: ${pairs}; median ${figure(m.medianA, m.metric)} → ${figure(m.medianB, m.metric)}; ` +
          `B better in ${m.bBetter}, worse in ${m.bWorse}${m.ties > 0 ? `, same in ${m.ties}` : ''}: ${m.verdict}`,
      );
    }
  }
  if (comparison.incomplete.length > 0)
    lines.push(`not compared (missing from some runs): ${comparison.incomplete.join(', ')}`);
  return lines.join('\n');
}
