import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compareRuns,
  formatComparison,
  type PairedRun,
  type ResultsForComparison,
  signTestP,
} from './ab-compare.ts';

/** A run's results with one open-loop point (the fields the comparison reads). */
const results = (
  points: Array<{
    target: number;
    sagasPerS: number;
    p50: number;
    p99: number;
    busy?: number;
    completed?: number;
    /** The machine's context switches per saga; left out: a result from before the counts. */
    switches?: number;
    /** Commits per saga in the bench database; left out: counters not read. */
    transactions?: number;
  }>,
): ResultsForComparison => ({
  host: { cpus: 2 },
  points: points.map((p) => ({
    kind: 'open' as const,
    target: p.target,
    completed: p.completed ?? 10_000,
    sagasPerS: p.sagasPerS,
    latencyMs: { p50: p.p50, p99: p.p99 },
    cpu: { wallSeconds: 20, machineBusyPercent: p.busy ?? 90 },
    ...(p.switches === undefined ? {} : { perSaga: { machineContextSwitches: p.switches } }),
    db: p.transactions === undefined ? null : { xactPerSaga: p.transactions },
  })),
});

const pairOf = (pair: number, a: ResultsForComparison, b: ResultsForComparison): PairedRun[] => [
  { pair, arm: 'a', results: a },
  { pair, arm: 'b', results: b },
];

test('sign test: two-sided binomial tail, 1 when nothing differs', () => {
  assert.equal(signTestP(0, 0), 1);
  assert.equal(signTestP(3, 3), 0.25); // 2 × 1/8
  assert.equal(signTestP(0, 3), 0.25);
  assert.equal(signTestP(6, 6), 2 / 64);
  assert.equal(signTestP(5, 6), (2 * 7) / 64); // P(≥5 of 6) = (6 + 1)/64, both ways
  assert.equal(signTestP(2, 4), 1); // an even split is capped at 1
  assert.ok(Math.abs(signTestP(9, 10) - (2 * 11) / 1024) < 1e-12);
});

test('B better in all six pairs: significant; latency and CPU count lower as better', () => {
  const runs = [1, 2, 3, 4, 5, 6].flatMap((pair) =>
    pairOf(
      pair,
      results([
        {
          target: 500,
          sagasPerS: 495,
          p50: 300 + pair,
          p99: 600,
          busy: 90,
          switches: 16 + pair,
          transactions: 0.58,
        },
      ]),
      results([
        {
          target: 500,
          sagasPerS: 497,
          p50: 250 + pair,
          p99: 600,
          busy: 80,
          switches: 14 + pair,
          transactions: 0.7,
        },
      ]),
    ),
  );
  const [point] = compareRuns(runs).points;
  assert.equal(point?.label, 'open 500/s');
  const byName = Object.fromEntries((point?.metrics ?? []).map((m) => [m.metric, m]));
  assert.equal(byName['sagas/s']?.bBetter, 6);
  assert.match(byName['sagas/s']?.verdict ?? '', /^B better \(p = 0\.031\)$/);
  assert.equal(byName['p50 ms']?.bBetter, 6);
  assert.equal(byName['p50 ms']?.medianA, 303.5);
  assert.equal(byName['p50 ms']?.medianB, 253.5);
  assert.equal(byName['p99 ms']?.ties, 6);
  assert.equal(byName['p99 ms']?.verdict, 'no pair differs');
  // 90 % of 2 cores for 20 s over 10,000 sagas = 3.6 ms; 80 % = 3.2 ms.
  assert.equal(byName['machine CPU ms/saga']?.medianA, 3.6);
  assert.equal(byName['machine CPU ms/saga']?.medianB, 3.2);
  assert.equal(byName['machine CPU ms/saga']?.bBetter, 6);
  assert.equal(byName['context switches/saga']?.medianA, 19.5);
  assert.equal(byName['context switches/saga']?.medianB, 17.5);
  assert.equal(byName['context switches/saga']?.bBetter, 6);
  assert.equal(byName['transactions/saga']?.bWorse, 6);
  assert.match(byName['transactions/saga']?.verdict ?? '', /^B worse \(p = 0\.031\)$/);
  assert.match(formatComparison(compareRuns(runs)), /transactions\/saga +A\|B by pair: 0\.58\|0\.70 /);
});

test('results from before the counts have no context-switch figure; version 1 results name them kernelPerSaga', () => {
  const runs = [1, 2].flatMap((pair) =>
    pairOf(pair, results([{ target: 500, sagasPerS: 495, p50: 300, p99: 600 }]), {
      ...results([]),
      points: results([{ target: 500, sagasPerS: 495, p50: 300, p99: 600 }]).points.map((p) => ({
        ...p,
        kernelPerSaga: { machineContextSwitches: 12 },
      })),
    }),
  );
  const switches = compareRuns(runs).points[0]?.metrics.find((m) => m.metric === 'context switches/saga');
  assert.deepEqual(switches?.a, [null, null]);
  assert.deepEqual(switches?.b, [12, 12]);
  assert.equal(switches?.bBetter, 0);
  assert.equal(switches?.verdict, 'no pair differs');
  assert.match(
    formatComparison(compareRuns(runs)),
    /context switches\/saga A\|B by pair: -\|12\.0 {2}-\|12\.0;/,
  );
});

test('three pairs cannot decide; a mixed result is within the spread', () => {
  const three = [
    [300, 250],
    [450, 370],
    [245, 310],
  ].flatMap(([a, b], i) =>
    pairOf(
      i + 1,
      results([{ target: 500, sagasPerS: 495, p50: a as number, p99: 600 }]),
      results([{ target: 500, sagasPerS: 495, p50: b as number, p99: 600 }]),
    ),
  );
  const p50 = compareRuns(three).points[0]?.metrics.find((m) => m.metric === 'p50 ms');
  assert.equal(p50?.bBetter, 2);
  assert.equal(p50?.bWorse, 1);
  assert.match(p50?.verdict ?? '', /^not decidable with 3 differing pairs \(p ≥ 0\.25 at best\)$/);

  const eight = [1, 2, 3, 4, 5, 6, 7, 8].flatMap((pair) =>
    pairOf(
      pair,
      results([{ target: 500, sagasPerS: 495, p50: 300, p99: 600 }]),
      results([{ target: 500, sagasPerS: 495, p50: pair % 2 === 0 ? 280 : 320, p99: 600 }]),
    ),
  );
  const mixed = compareRuns(eight).points[0]?.metrics.find((m) => m.metric === 'p50 ms');
  assert.equal(mixed?.verdict, 'no difference beyond the spread (p = 1.00)');
});

test('a point missing from one run is listed, not compared; the others are', () => {
  const runs = [
    ...pairOf(
      1,
      results([
        { target: 500, sagasPerS: 495, p50: 300, p99: 600 },
        { target: 1000, sagasPerS: 900, p50: 900, p99: 2000 },
      ]),
      results([{ target: 500, sagasPerS: 496, p50: 290, p99: 590 }]),
    ),
  ];
  const comparison = compareRuns(runs);
  assert.deepEqual(
    comparison.points.map((p) => p.label),
    ['open 500/s'],
  );
  assert.deepEqual(comparison.incomplete, ['open 1000/s']);
  const text = formatComparison(comparison);
  assert.match(text, /^open 500\/s:$/m);
  assert.match(text, /p50 ms +A\|B by pair: 300\|290; median 300 → 290; B better in 1, worse in 0/);
  assert.match(text, /not compared \(missing from some runs\): open 1000\/s/);
});

test('a pair without exactly one run of each arm is refused', () => {
  const one = results([{ target: 500, sagasPerS: 495, p50: 300, p99: 600 }]);
  assert.throws(() => compareRuns([{ pair: 1, arm: 'a', results: one }]), /pair 1 has 0 runs of B/);
  assert.throws(
    () => compareRuns([...pairOf(1, one, one), { pair: 1, arm: 'a', results: one }]),
    /pair 1 has 2 runs of A/,
  );
});

test('a point where no saga completed has no latency or CPU figure, and is not counted', () => {
  const runs = [
    ...pairOf(
      1,
      results([{ target: 500, sagasPerS: 0, p50: 0, p99: 0, completed: 0 }]),
      results([{ target: 500, sagasPerS: 490, p50: 300, p99: 600 }]),
    ),
  ];
  const cpu = compareRuns(runs).points[0]?.metrics.find((m) => m.metric === 'machine CPU ms/saga');
  assert.deepEqual(cpu?.a, [null]);
  assert.equal(cpu?.bBetter, 0);
  assert.equal(cpu?.bWorse, 0);
  assert.equal(cpu?.verdict, 'no pair differs');
});
