import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRefinementRate, type OpenLoopOutcome } from './refine.ts';

const grid = (sustained: number[], not: number[]): OpenLoopOutcome[] => [
  ...sustained.map((target) => ({ target, sustained: true })),
  ...not.map((target) => ({ target, sustained: false })),
];

describe('nextRefinementRate', () => {
  it('takes the middle of the highest sustained rate and the lowest unsustained one above it', () => {
    assert.equal(nextRefinementRate(grid([1000, 2000, 2500], [2750, 3000])), 2630);
  });

  it('ignores unsustained rates below the highest sustained one (the machine drifted)', () => {
    assert.equal(nextRefinementRate(grid([500, 1500], [1000, 2000])), 1750);
  });

  it('halves the gap point by point until it cannot be split', () => {
    const points = grid([2500], [2750]);
    const knee = 2612; // every rate up to here is sustained
    const tried: number[] = [];
    for (let rate = nextRefinementRate(points); rate !== null; rate = nextRefinementRate(points)) {
      tried.push(rate);
      points.push({ target: rate, sustained: rate <= knee });
    }
    assert.deepEqual(tried, [2630, 2570, 2600, 2620, 2610]);
    const best = Math.max(...points.filter((p) => p.sustained).map((p) => p.target));
    assert.equal(best, 2610);
  });

  it('has nothing to refine without a sustained rate or without an unsustained one above it', () => {
    assert.equal(nextRefinementRate(grid([], [100, 250])), null);
    assert.equal(nextRefinementRate(grid([100, 250, 500], [])), null);
    assert.equal(nextRefinementRate(grid([500], [250])), null);
    assert.equal(nextRefinementRate([]), null);
  });

  it('stops when the two rates are one granularity step apart', () => {
    assert.equal(nextRefinementRate(grid([2600], [2610])), null);
    assert.equal(nextRefinementRate(grid([2600], [2620])), 2610);
  });
});
