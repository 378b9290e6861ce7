import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cpuBudget, type GoalPoint, judgeGoals, nextRefinementRate } from './goals.ts';

const open = (target: number, sagasPerS: number, sustained: boolean, p99 = 100): GoalPoint =>
  ({ kind: 'open', target, sagasPerS, sustained, latencyMs: { p99 } }) as const;

describe('judgeGoals', () => {
  test('the sustained ratio uses the sagas completed per second at the highest sustained rate', () => {
    const points = [open(500, 499, true, 82), open(3190, 3157.5, true), open(3500, 3257.5, false)];
    const summary = judgeGoals(points, 5579, [500, 3000, 3500]);
    const { maxSustainedRate, sustainedRatio, ratio, p99AtRate500Ms } = summary;
    assert.deepEqual([maxSustainedRate, sustainedRatio, ratio, p99AtRate500Ms], [3190, 0.566, 0.58, 82]);
    assert.deepEqual(summary.goals, { sustained1000: true, p99At500Within250: true, halfOfCeiling: true });
  });

  test('a ratio just under one half fails the goal although it rounds to 0.50', () => {
    const summary = judgeGoals([open(3000, 2981.8, true)], 5966, [3000]);
    assert.deepEqual([summary.sustainedRatio, summary.goals.halfOfCeiling], [0.5, false]);
  });

  test('closed-loop points never count as sustained; goals without their figures are not judged', () => {
    const closed: GoalPoint = { ...open(4000, 2500, true), kind: 'closed' };
    const summary = judgeGoals([open(1000, 998, true, 300), open(2000, 1500, false), closed], 2000, [1000]);
    assert.deepEqual([summary.maxSustainedRate, summary.bestSagasPerS], [1000, 2500]);
    assert.deepEqual(summary.goals, { sustained1000: true, p99At500Within250: null, halfOfCeiling: false });
    const none = judgeGoals([open(500, 499, true, 260)], null, [500]);
    assert.deepEqual(none.goals, { sustained1000: null, p99At500Within250: false, halfOfCeiling: null });
  });
});

test('cpuBudget: half of a 3,000 sagas/s ceiling on 2 cores allows 1.33 ms per saga', () => {
  const budget = { targetSagasPerS: 1500, allowedMsPerSaga: 1.33, spentMsPerSaga: 1.8, toSave: 0.26 };
  assert.deepEqual(cpuBudget(3000, 2, 1.8), budget);
  assert.ok((cpuBudget(1000, 2, 1)?.toSave ?? 1) < 0, 'within budget');
  assert.equal(cpuBudget(null, 2, 1), null);
  assert.equal(cpuBudget(100, 2, null), null);
});

describe('nextRefinementRate', () => {
  const grid = (sustained: number[], not: number[]) => [
    ...sustained.map((target) => ({ target, sustained: true })),
    ...not.map((target) => ({ target, sustained: false })),
  ];

  test('halves the gap above the highest sustained rate point by point until it cannot be split', () => {
    assert.equal(nextRefinementRate(grid([500, 1500], [1000, 2000])), 1750, 'lower failures ignored');
    const points = grid([2500], [2750]);
    const tried: number[] = [];
    for (let rate = nextRefinementRate(points); rate !== null; rate = nextRefinementRate(points)) {
      tried.push(rate);
      points.push({ target: rate, sustained: rate <= 2612 });
    }
    assert.deepEqual(tried, [2630, 2570, 2600, 2620, 2610]);
  });

  test('nothing to refine without a sustained rate, or without an unsustained one above it', () => {
    const grids = [grid([], [100, 250]), grid([100, 250], []), grid([500], [250]), grid([2600], [2610])];
    assert.deepEqual(grids.map(nextRefinementRate), [null, null, null, null]);
  });
});
