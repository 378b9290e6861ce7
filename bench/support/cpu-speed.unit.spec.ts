import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpuSpeedIteration, measureCpuSpeed } from './cpu-speed.ts';

test('one iteration of the speed workload depends on its seed and nothing else', () => {
  assert.equal(cpuSpeedIteration(7), cpuSpeedIteration(7));
  assert.notEqual(cpuSpeedIteration(7), cpuSpeedIteration(8));
});

test('the machine speed is a rate of iterations over at least the time asked for', () => {
  const speed = measureCpuSpeed(50);
  assert.ok(speed.ms >= 50, `measured for ${speed.ms} ms`);
  assert.ok(Number.isInteger(speed.kops) && speed.kops > 0, `speed ${speed.kops} kops/s`);
});
