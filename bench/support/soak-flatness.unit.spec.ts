import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgeFlatness, trendOf } from './soak-flatness.ts';

describe('judgeFlatness', () => {
  test('compares the last third with the middle third, ignoring the first', () => {
    const verdict = judgeFlatness([0, 0, 0, 100, 100, 100, 105, 105, 105], 0.1);
    assert.deepEqual(verdict, { middleMean: 100, lastMean: 105, growth: 0.05, flat: true });
  });

  test('is not flat when the last third grew beyond the tolerance', () => {
    const verdict = judgeFlatness([10, 20, 30, 40, 50, 60], 0.1);
    assert.equal(verdict?.flat, false);
    assert.equal(verdict?.growth, 0.571);
  });

  test('counts shrinking as flat, and needs three samples', () => {
    assert.equal(judgeFlatness([100, 100, 50], 0.1)?.flat, true);
    assert.equal(judgeFlatness([1, 2], 0.1), null);
    assert.equal(judgeFlatness([0, 0, 0], 0.1)?.flat, true);
    assert.equal(judgeFlatness([0, 0, 1], 0.1)?.flat, false);
  });
});

describe('trendOf', () => {
  const series = (values: number[], stepS = 30) => values.map((value, i) => ({ atS: i * stepS, value }));

  test('is the least-squares slope per minute over the last window only', () => {
    // climbs 0 → 900 in the first 90 s, then flat at 1,000 for the last 120 s
    const trend = trendOf(series([0, 300, 600, 900, 1_000, 1_000, 1_000, 1_000]), 90);
    assert.deepEqual(trend, { perMinute: 0, per10MinShare: 0 });
  });

  test('gives the growth per minute and per 10 minutes as a share of the mean', () => {
    // +50 per 30 s sample = +100 per minute, around a mean of 1,075
    const trend = trendOf(series([1_000, 1_050, 1_100, 1_150]), 600);
    assert.deepEqual(trend, { perMinute: 100, per10MinShare: 0.93 });
  });

  test('needs two samples in the window', () => {
    assert.equal(trendOf(series([5]), 600), null);
    assert.equal(trendOf([], 600), null);
  });
});
