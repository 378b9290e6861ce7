import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandLineOf, medianByTenth, RssSampler } from './process-stats.ts';

describe('medianByTenth', () => {
  test('one median per tenth of the time spanned, in order', () => {
    const samples = Array.from({ length: 11 }, (_, i) => ({ atMs: 1_000 + i * 10, kb: 100 + i * 10 }));
    // t = 0, 10, …, 90 each open a tenth; t = 100 (the end) falls into the last one with t = 90,
    // whose median by nearest rank is the lower of the two.
    assert.deepEqual(medianByTenth(samples), [100, 110, 120, 130, 140, 150, 160, 170, 180, 190]);
  });

  test('a slice without readings is left out rather than invented', () => {
    const samples = [
      { atMs: 0, kb: 50 },
      { atMs: 1, kb: 70 },
      { atMs: 100, kb: 90 },
    ];
    assert.deepEqual(medianByTenth(samples), [50, 90]);
  });

  test('no readings, or all at one instant', () => {
    assert.deepEqual(medianByTenth([]), []);
    assert.deepEqual(
      medianByTenth([
        { atMs: 5, kb: 3 },
        { atMs: 5, kb: 1 },
        { atMs: 5, kb: 2 },
      ]),
      [2],
    );
  });
});

describe('RssSampler', () => {
  test('reads the RSS of live processes over time and skips those that are gone', () => {
    let now = 0;
    const sampler = new RssSampler(
      () =>
        new Map([
          ['self', process.pid],
          ['gone', 2 ** 22 + 1], // above the kernel's pid limit: never a live process
        ]),
      () => now,
    );
    sampler.start(60_000);
    for (let i = 1; i <= 20; i++) {
      now = i * 100;
      sampler.sample();
    }
    now = 2_100;
    const windows = sampler.stop();
    assert.deepEqual(Object.keys(windows), ['self']);
    const self = windows.self;
    assert.ok(self);
    assert.ok(self.startKb > 1_000, `a node process holds more than 1 MiB (got ${self.startKb} KiB)`);
    assert.ok(self.peakKb >= Math.max(self.startKb, self.endKb));
    assert.equal(self.byTenthKb.length, 10);
    for (const kb of self.byTenthKb) assert.ok(kb >= self.startKb * 0.5 && kb <= self.peakKb);
  });
});

describe('commandLineOf', () => {
  test("this process's program and node flags, as the kernel has them", () => {
    const commandLine = commandLineOf(process.pid);
    assert.ok(commandLine);
    assert.equal(commandLine[0], process.argv0);
    // node's own flags come right after the program, in order (the script and its arguments follow)
    assert.deepEqual(commandLine.slice(1, 1 + process.execArgv.length), process.execArgv);
    assert.ok(commandLine.length > process.execArgv.length, 'the script follows the flags');
  });

  test('null for a process that does not exist', () => {
    assert.equal(commandLineOf(2 ** 22 + 1), null);
  });
});
