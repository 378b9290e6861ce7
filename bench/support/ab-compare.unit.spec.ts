import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PairedRun, ResultsForComparison } from './ab-compare.ts';
import { compareRuns, formatComparison, signTestP } from './ab-compare.ts';

type Figures = Partial<
  Record<'target' | 'sagasPerS' | 'p50' | 'busy' | 'completed' | 'switches' | 'xact', number>
>;
/** A run with one open-loop point per entry: the fields the comparison reads. */
const run = (points: Figures[]): ResultsForComparison => ({
  host: { cpus: 2 },
  points: points.map((p) => ({
    kind: 'open' as const,
    target: p.target ?? 500,
    completed: p.completed ?? 10_000,
    sagasPerS: p.sagasPerS ?? 495,
    latencyMs: { p50: p.p50 ?? 300, p99: 600 },
    cpu: { wallSeconds: 20, machineBusyPercent: p.busy ?? 90 },
    ...(p.switches === undefined ? {} : { perSaga: { machineContextSwitches: p.switches } }),
    db: p.xact === undefined ? null : { xactPerSaga: p.xact },
  })),
});
/** `n` pairs; `arms(pair)` gives A's and B's points. */
const pairs = (n: number, arms: (pair: number) => [Figures[], Figures[]]): PairedRun[] =>
  Array.from({ length: n }, (_, i) => i + 1).flatMap((pair) => [
    { pair, arm: 'a' as const, results: run(arms(pair)[0]) },
    { pair, arm: 'b' as const, results: run(arms(pair)[1]) },
  ]);
const metric = (runs: PairedRun[], name: string) =>
  compareRuns(runs).points[0]?.metrics.find((m) => m.metric === name);

test('sign test: two-sided binomial tail, 1 when nothing differs', () => {
  assert.deepEqual([signTestP(0, 0), signTestP(3, 3), signTestP(6, 6)], [1, 0.25, 2 / 64]);
  assert.deepEqual([signTestP(5, 6), signTestP(2, 4)], [(2 * 7) / 64, 1]);
});

test('B better in all six pairs is significant; latency, CPU and counts are better lower', () => {
  const runs = pairs(6, (i) => [
    [{ sagasPerS: 495, p50: 300 + i, busy: 90, switches: 16 + i, xact: 0.58 }],
    [{ sagasPerS: 497, p50: 250 + i, busy: 80, switches: 14 + i, xact: 0.7 }],
  ]);
  assert.match(metric(runs, 'sagas/s')?.verdict ?? '', /^B better \(p = 0\.031\)$/);
  assert.deepEqual([metric(runs, 'p50 ms')?.medianA, metric(runs, 'p50 ms')?.medianB], [303.5, 253.5]);
  assert.equal(metric(runs, 'p99 ms')?.verdict, 'no pair differs');
  // 90 % of 2 cores for 20 s over 10,000 sagas = 3.6 ms; 80 % = 3.2 ms.
  const cpu = metric(runs, 'machine CPU ms/saga');
  assert.deepEqual([cpu?.medianA, cpu?.medianB, cpu?.bBetter], [3.6, 3.2, 6]);
  assert.equal(metric(runs, 'context switches/saga')?.bBetter, 6);
  assert.match(metric(runs, 'transactions/saga')?.verdict ?? '', /^B worse \(p = 0\.031\)$/);
  assert.match(formatComparison(compareRuns(runs)), /transactions\/saga +A\|B by pair: 0\.58\|0\.70 /);
});

test('a version 1 result (kernelPerSaga) compares with version 2; a missing figure is not counted', () => {
  const [a, b] = pairs(1, () => [[{}], [{ switches: 10 }]]);
  const old = a?.results.points.map((p) => ({ ...p, kernelPerSaga: { machineContextSwitches: 12 } })) ?? [];
  const mixed = [
    { pair: 1, arm: 'a' as const, results: { host: { cpus: 2 }, points: old } },
    ...(b ? [b] : []),
  ];
  assert.equal(metric(mixed, 'context switches/saga')?.bBetter, 1);
  const none = metric(
    pairs(2, () => [[{}], [{ switches: 12 }]]),
    'context switches/saga',
  );
  assert.deepEqual([none?.a, none?.verdict], [[null, null], 'no pair differs']);
  const idle = metric(
    pairs(1, () => [[{ completed: 0 }], [{}]]),
    'machine CPU ms/saga',
  );
  assert.deepEqual([idle?.a, idle?.verdict], [[null], 'no pair differs']);
});

test('three pairs cannot decide; a mixed result is within the spread', () => {
  const p50s = [undefined, [300, 250], [450, 370], [245, 310]] as const; // A's and B's, by pair
  const undecided = metric(
    pairs(3, (i) => [[{ p50: p50s[i]?.[0] }], [{ p50: p50s[i]?.[1] }]]),
    'p50 ms',
  );
  assert.match(undecided?.verdict ?? '', /^not decidable with 3 differing pairs \(p ≥ 0\.25 at best\)$/);
  const mixed = metric(
    pairs(8, (i) => [[{}], [{ p50: i % 2 === 0 ? 280 : 320 }]]),
    'p50 ms',
  );
  assert.equal(mixed?.verdict, 'no difference beyond the spread (p = 1.00)');
});

test('a point missing from one run is listed, not compared; a pair needs one run of each arm', () => {
  const comparison = compareRuns(pairs(1, () => [[{}, { target: 1000 }], [{ p50: 290 }]]));
  assert.deepEqual(
    [comparison.points.map((p) => p.label), comparison.incomplete],
    [['open 500/s'], ['open 1000/s']],
  );
  const text = formatComparison(comparison);
  assert.match(text, /p50 ms +A\|B by pair: 300\|290; median 300 → 290; B better in 1, worse in 0/);
  assert.match(text, /not compared \(missing from some runs\): open 1000\/s/);
  assert.throws(() => compareRuns(pairs(1, () => [[{}], [{}]]).slice(0, 1)), /pair 1 has 0 runs of B/);
});
