import assert from 'node:assert/strict';
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  driverGroup,
  type KernelSnapshot,
  type KernelWork,
  kernelBetween,
  kernelSnapshot,
  kernelWorkOf,
  kernelWorkPerSaga,
  machineContextSwitches,
} from './kernel-work.ts';
import { formatKernelWork, type MeasuredPoint } from './report.ts';

const goneProcess = 2 ** 22 + 1; // above the kernel's pid limit: never a live process
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reading /proc', () => {
  test('this process: its write calls and its waits are counted', async () => {
    const before = kernelWorkOf(process.pid);
    assert.ok(before?.ioSyscalls !== null && before !== null, 'this process can read its own io file');
    const file = join(tmpdir(), `kernel-work-${process.pid}.txt`);
    const fd = openSync(file, 'w');
    try {
      for (let i = 0; i < 200; i++) writeSync(fd, 'x');
    } finally {
      closeSync(fd);
      rmSync(file, { force: true });
    }
    // Idle in the event loop: the main thread sleeps in epoll_wait, a voluntary context switch.
    for (let i = 0; i < 5; i++) await sleep(5);
    const after = kernelWorkOf(process.pid);
    assert.ok(after !== null && after.ioSyscalls !== null && before.ioSyscalls !== null);
    assert.ok(
      after.ioSyscalls - before.ioSyscalls >= 200,
      `200 writes counted (got ${after.ioSyscalls - before.ioSyscalls})`,
    );
    assert.ok(
      after.contextSwitches - before.contextSwitches >= 5,
      `five sleeps are at least five context switches (got ${after.contextSwitches - before.contextSwitches})`,
    );
  });

  test('a process that does not exist has no counts', () => {
    assert.equal(kernelWorkOf(goneProcess), null);
  });

  test("the machine's context switches only grow", async () => {
    const first = machineContextSwitches();
    await sleep(10);
    assert.ok(first > 0);
    assert.ok(machineContextSwitches() > first);
  });

  test('a snapshot has every group, the bench driver (this process) included', () => {
    const snapshot = kernelSnapshot(
      new Map([
        ['self', [process.pid]],
        ['gone', [goneProcess]],
      ]),
    );
    assert.equal(snapshot.groups.get('self')?.size, 1);
    assert.equal(snapshot.groups.get('gone')?.size, 0);
    assert.ok(snapshot.groups.get(driverGroup)?.get(process.pid));
  });
});

const snapshot = (machine: number, groups: Record<string, Record<number, KernelWork>>): KernelSnapshot => ({
  machineContextSwitches: machine,
  groups: new Map(
    Object.entries(groups).map(([name, pids]) => [
      name,
      new Map(Object.entries(pids).map(([pid, work]) => [Number(pid), work])),
    ]),
  ),
});

describe('kernelBetween', () => {
  test('sums the deltas of each group and leaves the rest of the machine as unattributed', () => {
    const a = snapshot(1_000, {
      kafka: { 10: { contextSwitches: 100, ioSyscalls: 50 } },
      postgres: { 20: { contextSwitches: 10, ioSyscalls: 5 }, 21: { contextSwitches: 7, ioSyscalls: 7 } },
    });
    const b = snapshot(1_500, {
      kafka: { 10: { contextSwitches: 250, ioSyscalls: 90 } },
      // 21 is gone; 22 started inside the window and counts from zero
      postgres: { 20: { contextSwitches: 40, ioSyscalls: 25 }, 22: { contextSwitches: 30, ioSyscalls: 12 } },
    });
    assert.deepEqual(kernelBetween(a, b), {
      machineContextSwitches: 500,
      byProcess: {
        kafka: { contextSwitches: 150, ioSyscalls: 40 },
        postgres: { contextSwitches: 60, ioSyscalls: 32 },
      },
      unattributedContextSwitches: 290,
    });
  });

  test('a thread that ended takes its switches along: never below zero', () => {
    const a = snapshot(0, { jvm: { 1: { contextSwitches: 900, ioSyscalls: 10 } } });
    const b = snapshot(50, { jvm: { 1: { contextSwitches: 400, ioSyscalls: 30 } } });
    assert.deepEqual(kernelBetween(a, b).byProcess.jvm, { contextSwitches: 0, ioSyscalls: 20 });
  });

  test('one unreadable io file makes the group’s system calls unknown, not smaller', () => {
    const a = snapshot(0, {
      pg: { 1: { contextSwitches: 0, ioSyscalls: 0 }, 2: { contextSwitches: 0, ioSyscalls: null } },
    });
    const b = snapshot(10, {
      pg: { 1: { contextSwitches: 3, ioSyscalls: 9 }, 2: { contextSwitches: 4, ioSyscalls: null } },
    });
    assert.deepEqual(kernelBetween(a, b).byProcess.pg, { contextSwitches: 7, ioSyscalls: null });
  });
});

describe('kernelWorkPerSaga', () => {
  test('divides every count by the sagas completed', () => {
    const report = {
      machineContextSwitches: 1_000,
      unattributedContextSwitches: 100,
      byProcess: {
        kafka: { contextSwitches: 333, ioSyscalls: 1_000 },
        pg: { contextSwitches: 10, ioSyscalls: null },
      },
    };
    assert.deepEqual(kernelWorkPerSaga(report, 300), {
      machineContextSwitches: 3.33,
      unattributedContextSwitches: 0.33,
      byProcess: {
        kafka: { contextSwitches: 1.11, ioSyscalls: 3.33 },
        pg: { contextSwitches: 0.03, ioSyscalls: null },
      },
    });
    assert.equal(kernelWorkPerSaga(report, 0), null);
  });
});

describe('formatKernelWork', () => {
  test("one row per point in the CPU table's columns; Postgres's two groups add up", () => {
    const point = {
      kind: 'open',
      target: 500,
      kernelPerSaga: {
        machineContextSwitches: 12.5,
        unattributedContextSwitches: 0.4,
        byProcess: {
          orchestrator: { contextSwitches: 3, ioSyscalls: 7 },
          kafka: { contextSwitches: 6.5, ioSyscalls: 21 },
          'postgres: bench db': { contextSwitches: 2, ioSyscalls: 1 },
          'postgres: background': { contextSwitches: 1.2, ioSyscalls: 0.5 },
          'postgres: other dbs': { contextSwitches: 0.1, ioSyscalls: 0 },
          'bench driver': { contextSwitches: 0.8, ioSyscalls: null },
        },
      },
    } as unknown as MeasuredPoint;
    const [, header, row] = formatKernelWork([
      point,
      { kind: 'open', target: 1, kernelPerSaga: null } as never,
    ]);
    assert.match(header ?? '', /point +orch +inv +pay +ship +kafka +pg +reg +bench +other +machine$/);
    const cells = (row ?? '').trim().split(/ {2,}/);
    assert.deepEqual(cells, [
      'open 500/s',
      '3.0 / 7.0',
      '-',
      '-',
      '-',
      '6.5 / 21.0',
      '3.2 / 1.5',
      '-',
      '0.8 / -',
      '0.5',
      '12.5',
    ]);
    assert.equal(formatKernelWork([{ kind: 'open', target: 1 } as never]).length, 0);
  });

  test("the ceilings' rows: the echo's best window with its responder as orch, the database ceiling", () => {
    const counts = (byProcess: Record<string, { contextSwitches: number; ioSyscalls: number }>) => ({
      machineContextSwitches: 9,
      unattributedContextSwitches: 1,
      byProcess,
    });
    const lines = formatKernelWork([], {
      echo: {
        roundTripsPerS: 300,
        sagasPerS: 100,
        payloadBytes: 100,
        windows: [
          {
            window: 64,
            roundTripsPerS: 200,
            kernelPerSaga: counts({ kafka: { contextSwitches: 99, ioSyscalls: 99 } }),
          },
          {
            window: 256,
            roundTripsPerS: 300,
            kernelPerSaga: counts({
              'echo responder': { contextSwitches: 1.5, ioSyscalls: 3 },
              kafka: { contextSwitches: 2, ioSyscalls: 6 },
            }),
          },
        ],
      } as never,
      db: { kernelPerSaga: counts({ 'bench driver': { contextSwitches: 0.25, ioSyscalls: 4 } }) } as never,
    });
    const [echoRow, dbRow] = lines.slice(2).map((line) => line.trim().split(/ {2,}/));
    assert.deepEqual(echoRow, [
      'ceil echo/3',
      '1.5 / 3.0',
      '-',
      '-',
      '-',
      '2.0 / 6.0',
      '-',
      '-',
      '-',
      '1.0',
      '9.0',
    ]);
    assert.deepEqual(dbRow, ['ceil db', '-', '-', '-', '-', '-', '-', '-', '0.3 / 4.0', '1.0', '9.0']);
  });
});
