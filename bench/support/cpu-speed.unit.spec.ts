import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuSpeedIteration, measureCpuSpeed, speedDrift } from './cpu-speed.ts';

test('the workload depends on its seed only; the speed is the median of its samples', () => {
  assert.equal(cpuSpeedIteration(7), cpuSpeedIteration(7));
  assert.notEqual(cpuSpeedIteration(7), cpuSpeedIteration(8));
  const speed = measureCpuSpeed(100, 5);
  assert.ok(speed.minKops > 0 && speed.minKops <= speed.kops && speed.kops <= speed.maxKops);
});

test('the drift is the relative change of the median speed, null without both', () => {
  const at = (kops: number) => ({ kops, minKops: kops, maxKops: kops });
  assert.equal(speedDrift(at(100), at(60)), -0.4);
  assert.equal(speedDrift(null, at(100)), null);
});
