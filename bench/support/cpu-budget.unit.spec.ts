import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuBudget } from './cpu-budget.ts';

test('half of a 3,000 sagas/s ceiling on 2 cores allows 1.33 ms of CPU per saga', () => {
  // 20 s at 90 % of 2 cores = 36 s of CPU for 20,000 sagas: 1.8 ms each, 26 % more than allowed.
  const budget = cpuBudget({
    ceilingSagasPerS: 3000,
    cores: 2,
    best: { completed: 20_000, wallSeconds: 20, machineBusyPercent: 90 },
  });
  assert.deepEqual(budget, {
    targetSagasPerS: 1500,
    allowedMsPerSaga: 1.33,
    spentMsPerSaga: 1.8,
    toSave: 0.26,
  });
});

test('a run within budget has nothing to save', () => {
  const budget = cpuBudget({
    ceilingSagasPerS: 1000,
    cores: 2,
    best: { completed: 10_000, wallSeconds: 10, machineBusyPercent: 50 },
  });
  assert.equal(budget?.spentMsPerSaga, 1);
  assert.equal(budget?.allowedMsPerSaga, 4);
  assert.ok((budget?.toSave ?? 1) <= 0);
});

test('no ceiling or no completed saga: no budget', () => {
  const best = { completed: 10, wallSeconds: 1, machineBusyPercent: 10 };
  assert.equal(cpuBudget({ ceilingSagasPerS: null, cores: 2, best }), null);
  assert.equal(cpuBudget({ ceilingSagasPerS: 100, cores: 2, best: null }), null);
  assert.equal(cpuBudget({ ceilingSagasPerS: 100, cores: 2, best: { ...best, completed: 0 } }), null);
});
