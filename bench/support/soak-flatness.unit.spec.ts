import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { judgeFlatness } from './soak-flatness.ts';

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
