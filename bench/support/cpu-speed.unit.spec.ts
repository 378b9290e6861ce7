import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuSpeedIteration, measureCpuSpeed, speedDrift } from './cpu-speed.ts';

test('one iteration of the speed workload depends on its seed and nothing else', () => {
  assert.equal(cpuSpeedIteration(7), cpuSpeedIteration(7));
  assert.notEqual(cpuSpeedIteration(7), cpuSpeedIteration(8));
});

test('the machine speed is the median of its samples, each a rate over the time asked for', () => {
  const speed = measureCpuSpeed(100, 5);
  assert.ok(speed.ms >= 100, `measured for ${speed.ms} ms`);
  assert.ok(speed.minKops > 0, `slowest sample ${speed.minKops} kops/s`);
  assert.ok(speed.minKops <= speed.kops && speed.kops <= speed.maxKops, JSON.stringify(speed));
});

test('the speed drift is the relative change of the median speed, null without both measurements', () => {
  const at = (kops: number) => ({ kops, minKops: kops, maxKops: kops, ms: 1000 });
  assert.equal(speedDrift(at(100), at(60)), -0.4);
  assert.equal(speedDrift(at(80), at(100)), 0.25);
  assert.equal(speedDrift(null, at(100)), null);
  assert.equal(speedDrift(at(100), null), null);
});
