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
import { pointLabel } from './report.ts';

export type Arm = 'a' | 'b';

/** What the comparison reads of a results file: this version's, or an older checkout's. */
export interface ResultsForComparison {
  host: { cpus: number };
  points: Array<{
    kind: 'open' | 'closed';
    target: number;
    completed: number;
    sagasPerS: number;
    latencyMs: { p50: number; p99: number } | null;
    cpu: { wallSeconds: number; machineBusyPercent: number };
    /** The machine's context switches per saga: `perSaga` since version 2, `kernelPerSaga` before. */
    perSaga?: { machineContextSwitches: number } | null;
    kernelPerSaga?: { machineContextSwitches: number } | null;
    db?: { xactPerSaga: number | null } | null;
  }>;
}

export interface PairedRun {
  pair: number;
  arm: Arm;
  results: ResultsForComparison;
}

type Point = ResultsForComparison['points'][number];

/** Each metric, whether lower or higher is better, and how it is read from a point. */
const metrics = [
  { metric: 'sagas/s', better: 'higher', digits: 0, of: (p: Point) => p.sagasPerS },
  { metric: 'p50 ms', better: 'lower', digits: 0, of: (p: Point) => p.latencyMs?.p50 },
  { metric: 'p99 ms', better: 'lower', digits: 0, of: (p: Point) => p.latencyMs?.p99 },
  // As the CPU budget counts it: the whole machine's busy time over the point ÷ completed sagas.
  {
    metric: 'machine CPU ms/saga',
    better: 'lower',
    digits: 2,
    of: (p: Point, cores: number) =>
      p.completed > 0
        ? ((p.cpu.machineBusyPercent / 100) * cores * p.cpu.wallSeconds * 1000) / p.completed
        : null,
  },
  // How the work batched: the machine's context switches, the bench database's commits.
  {
    metric: 'context switches/saga',
    better: 'lower',
    digits: 1,
    of: (p: Point) => (p.perSaga ?? p.kernelPerSaga)?.machineContextSwitches,
  },
  { metric: 'transactions/saga', better: 'lower', digits: 2, of: (p: Point) => p.db?.xactPerSaga },
] as const;

export type Comparison = ReturnType<typeof compareRuns>;

/** Significance level of the verdicts. */
export const SIGNIFICANCE = 0.05;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** P(at least max(k, n − k) of n fair coin flips land the same way), both ways; at most 1. */
export function signTestP(k: number, n: number): number {
  const extreme = Math.max(k, n - k);
  let tail = 0;
  let choose = 1; // C(n, 0)
  for (let i = 0; i <= n; i++) {
    if (i >= extreme) tail += choose;
    choose = (choose * (n - i)) / (i + 1);
  }
  return n === 0 ? 1 : Math.min(1, (2 * tail) / 2 ** n);
}

function compareMetric(
  { metric, better }: (typeof metrics)[number],
  a: Array<number | null>,
  b: Array<number | null>,
) {
  let [bBetter, bWorse, ties] = [0, 0, 0];
  a.forEach((x, i) => {
    const y = b[i] ?? null;
    if (x === null || y === null) return;
    if (x === y) ties++;
    else if (better === 'higher' ? y > x : y < x) bBetter++;
    else bWorse++;
  });
  const counted = bBetter + bWorse;
  const p = signTestP(bBetter, counted);
  const present = (values: Array<number | null>) => values.filter((v) => v !== null);
  const bestP = signTestP(counted, counted);
  const verdict =
    counted === 0
      ? 'no pair differs'
      : p <= SIGNIFICANCE
        ? `B ${bBetter > bWorse ? 'better' : 'worse'} (p = ${p.toFixed(3)})`
        : bestP > SIGNIFICANCE
          ? `not decidable with ${counted} differing pair${counted === 1 ? '' : 's'} (p ≥ ${bestP.toFixed(2)} at best)`
          : `no difference beyond the spread (p = ${p.toFixed(2)})`;
  const medians = { medianA: median(present(a)), medianB: median(present(b)) };
  // by pair (null where a run had no figure); pairs in which B did better, worse, the same; sign test
  return { metric, a, b, ...medians, bBetter, bWorse, ties, p, verdict };
}

/**
 * Compares every point that all runs measured. Throws unless every pair has exactly one run of each
 * arm (a missing run would silently pair the wrong figures).
 */
export function compareRuns(runs: readonly PairedRun[]) {
  const pairs = [...new Set(runs.map((r) => r.pair))].sort((x, y) => x - y);
  const byPair = pairs.map((pair) => {
    const of = (arm: Arm) => {
      const found = runs.filter((r) => r.pair === pair && r.arm === arm);
      if (found.length !== 1 || !found[0])
        throw new Error(
          `pair ${pair} has ${found.length} runs of ${arm.toUpperCase()}; it needs exactly one`,
        );
      return found[0].results;
    };
    return { a: of('a'), b: of('b') };
  });
  const all = byPair.flatMap(({ a, b }) => [a, b]);
  const labels = [...new Set(all.flatMap((r) => r.points.map(pointLabel)))];
  const complete = labels.filter((label) => all.every((r) => r.points.some((p) => pointLabel(p) === label)));
  return {
    pairs: pairs.length,
    points: complete.map((label) => ({
      label,
      metrics: metrics.map((m) => {
        const figures = (arm: Arm) =>
          byPair.map((pair) => {
            const point = pair[arm].points.find((p) => pointLabel(p) === label);
            return point ? (m.of(point, pair[arm].host.cpus) ?? null) : null;
          });
        return compareMetric(m, figures('a'), figures('b'));
      }),
    })),
    incomplete: labels.filter((l) => !complete.includes(l)),
  };
}

/** The comparison as text: per point, each metric's figures pair by pair, medians and verdict. */
export function formatComparison(comparison: Comparison): string {
  const lines: string[] = [];
  for (const point of comparison.points) {
    lines.push(`${point.label}:`);
    for (const m of point.metrics) {
      const digits = metrics.find((d) => d.metric === m.metric)?.digits ?? 0;
      const fig = (v: number | null) => (v === null ? '-' : v.toFixed(digits === 0 && v < 100 ? 1 : digits));
      const pairs = m.a.map((x, i) => `${fig(x)}|${fig(m.b[i] ?? null)}`).join('  ');
      lines.push(
        `  ${m.metric.padEnd(21)} A|B by pair: ${pairs}; median ${fig(m.medianA)} → ${fig(m.medianB)}; ` +
          `B better in ${m.bBetter}, worse in ${m.bWorse}${m.ties > 0 ? `, same in ${m.ties}` : ''}: ${m.verdict}`,
      );
    }
  }
  if (comparison.incomplete.length > 0)
    lines.push(`not compared (missing from some runs): ${comparison.incomplete.join(', ')}`);
  return lines.join('\n');
}
