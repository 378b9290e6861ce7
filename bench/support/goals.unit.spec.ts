import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type GoalPoint, judgeGoals } from './goals.ts';

const latency = (p99: number) => ({ count: 1, mean: p99 / 2, p50: p99 / 2, p90: p99, p99, max: p99 });
const open = (target: number, sagasPerS: number, sustained: boolean, p99 = 100): GoalPoint => ({
  kind: 'open',
  target,
  sagasPerS,
  sustained,
  latencyMs: latency(p99),
});

describe('judgeGoals', () => {
  test('the sustained ratio uses the sagas completed per second at the highest sustained rate', () => {
    const summary = judgeGoals(
      [
        open(500, 499, true, 82),
        open(3000, 2942.6, true),
        open(3190, 3157.5, true),
        open(3500, 3257.5, false),
      ],
      5579,
      [500, 3000, 3500],
    );
    assert.equal(summary.maxSustainedRate, 3190);
    assert.equal(summary.sustainedSagasPerS, 3157.5);
    assert.equal(summary.sustainedRatio, 0.566);
    assert.equal(summary.ratio, 0.58);
    assert.equal(summary.p99AtRate500Ms, 82);
    assert.deepEqual(summary.goals, { sustained1000: true, p99At500Within250: true, halfOfCeiling: true });
  });

  test('a ratio just under one half fails the goal although it rounds to 0.50', () => {
    // 3000/s offered, 2981.8 completed per second: 0.4998 of a 5,966 ceiling (the offered rate would give 0.503).
    const summary = judgeGoals([open(3000, 2981.8, true)], 5966, [3000]);
    assert.equal(summary.sustainedRatio, 0.5);
    assert.equal(summary.goals.halfOfCeiling, false);
  });

  test('closed-loop points and unsustained rates never count as sustained', () => {
    const closed: GoalPoint = {
      kind: 'closed',
      target: 4000,
      sagasPerS: 2500,
      sustained: true,
      latencyMs: latency(90),
    };
    const summary = judgeGoals(
      [open(1000, 998, true, 300), open(2000, 1500, false), closed],
      2000,
      [1000, 2000],
    );
    assert.equal(summary.maxSustainedRate, 1000);
    assert.equal(summary.bestSagasPerS, 2500);
    assert.deepEqual(summary.goals, { sustained1000: true, p99At500Within250: null, halfOfCeiling: false });
  });

  test('without a ceiling or a 1000/s rate the goals that need them are not judged', () => {
    const summary = judgeGoals([open(500, 499, true, 260)], null, [500]);
    assert.equal(summary.ratio, null);
    assert.equal(summary.sustainedRatio, null);
    assert.deepEqual(summary.goals, { sustained1000: null, p99At500Within250: false, halfOfCeiling: null });
  });
});
