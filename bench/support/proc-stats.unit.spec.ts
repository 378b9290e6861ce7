import assert from 'node:assert/strict';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { commandLineOf, driverGroup, medianByTenth, perSaga, snapshot, usageBetween } from './proc-stats.ts';

const gone = 2 ** 22 + 1; // above the kernel's pid limit: never a live process
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("usageBetween counts this process's CPU, write calls and waits, as the bench driver and by name", async () => {
  const groups = () => new Map(Object.entries({ self: [process.pid], gone: [gone] }));
  const before = snapshot(groups);
  const file = join(tmpdir(), `proc-stats-${process.pid}.txt`);
  const fd = openSync(file, 'w');
  try {
    for (let i = 0; i < 200; i++) writeSync(fd, 'x');
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  const until = performance.now() + 50;
  while (performance.now() < until); // busy: CPU time
  for (let i = 0; i < 5; i++) await sleep(5); // idle in epoll_wait: voluntary context switches
  const report = usageBetween(before, snapshot(groups));
  for (const name of ['self', driverGroup]) {
    const usage = report.byProcess[name];
    assert.ok(usage && usage.seconds > 0, `${name}: ${JSON.stringify(usage)}`);
    assert.ok((usage.ioSyscalls ?? 0) >= 200, `${name}: 200 writes counted`);
    assert.ok(usage.contextSwitches >= 5, `${name}: five sleeps are five context switches`);
  }
  assert.equal(report.byProcess.gone?.seconds, 0);
  const self = report.byProcess.self;
  assert.ok(self && report.machineContextSwitches >= self.contextSwitches);
  const cpuMs = Math.round(((1000 * self.seconds) / 2) * 100) / 100;
  assert.equal(perSaga(report, 2)?.byProcess.self?.cpuMs, cpuMs);
  assert.equal(perSaga(report, 0), null);
});

test('medianByTenth: one median per tenth of the time spanned, in order; empty slices left out', () => {
  const samples = Array.from({ length: 11 }, (_, i) => ({ atMs: 1_000 + i * 10, kb: 100 + i * 10 }));
  // t = 100 (the end) falls into the last tenth with t = 90; the nearest-rank median is the lower.
  assert.deepEqual(medianByTenth(samples), [100, 110, 120, 130, 140, 150, 160, 170, 180, 190]);
  const at = (atMs: number, kb: number) => ({ atMs, kb });
  assert.deepEqual(medianByTenth([at(0, 50), at(1, 70), at(100, 90)]), [50, 90]);
  assert.deepEqual(medianByTenth([at(5, 3), at(5, 1), at(5, 2)]), [2]);
  assert.deepEqual(medianByTenth([]), []);
});

test("commandLineOf: this process's program and node flags; null for none", () => {
  const commandLine = commandLineOf(process.pid);
  assert.equal(commandLine?.[0], process.argv0);
  assert.deepEqual(commandLine?.slice(1, 1 + process.execArgv.length), process.execArgv);
  assert.equal(commandLineOf(gone), null);
});
