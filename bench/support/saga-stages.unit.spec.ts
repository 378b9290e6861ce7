import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sagaStages, stageDurations } from './saga-stages.ts';

/** OrderPlaced at `placed` (none when null), then an OrderStatusChanged at each of `changes`. */
const lifecycle = (placed: number | null, changes: number[]) => [
  ...(placed === null ? [] : [{ type: 'OrderPlaced', atEpochMs: placed }]),
  ...changes.map((atEpochMs) => ({ type: 'OrderStatusChanged', atEpochMs })),
];

describe('stageDurations', () => {
  it('splits POST → seen into the saga hops at its lifecycle events', () => {
    const stages = stageDurations(1_000, lifecycle(1_012, [1_040, 1_075, 1_110]), 1_111, 1_130);
    assert.deepEqual(stages, { accept: 12, inventory: 28, payment: 35, shipping: 36, observe: 19 });
    const total = sagaStages.reduce((sum, stage) => sum + (stages?.[stage] ?? 0), 0);
    assert.equal(total, 130, 'the stages add up to POST → seen');
  });

  it('needs OrderPlaced and the status changes of the first two steps', () => {
    assert.equal(stageDurations(0, lifecycle(null, [5, 9]), 12, 15), null);
    assert.equal(stageDurations(0, lifecycle(2, [5]), 12, 15), null);
    const twoSteps = { accept: 2, inventory: 3, payment: 4, shipping: 3, observe: 3 };
    assert.deepEqual(stageDurations(0, lifecycle(2, [5, 9]), 12, 15), twoSteps);
  });
});
