import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseOptions } from './options.ts';
import { faultEntries, runRecord } from './run-record.ts';
import { RunRecords } from './run-records.ts';

describe('chaos run record (pure)', () => {
  test('configuration, seed, every fault in time order with counts, every invariant with its count', () => {
    const records = new RunRecords();
    records.kills.push({
      victim: 'payment-1',
      planned: 'payment-1',
      downMs: 500,
      at: '12.0s',
      readyAfterMs: 4000,
      note: '',
    });
    records.brokerRestarts.push({ at: '30.5s', restartMs: 9000, allReadyAfterMs: 12000, exitsDuring: 0 });
    records.faults.push({
      kind: 'broker-kill',
      at: '3.1s',
      target: 'kafka-2',
      durationMs: 14000,
      outcome: 'back',
    });
    records.faults.push({
      kind: 'pause',
      at: '20.0s',
      target: 'orchestrator-2',
      durationMs: 15000,
      outcome: 'ready',
    });
    records.timings.drive = 60000;
    const options = parseOptions(['--seed', '5', '--brokers', '3', '--broker-kills', '1'], () => 0);
    const record = runRecord({
      runId: '5-x',
      startedAt: Date.UTC(2026, 11, 7, 10),
      command: 'npm run chaos -- --seed 5',
      options,
      orders: 10,
      records,
      results: [
        { id: '0', invariant: 'a', checked: 10, violations: [] },
        { id: '3', invariant: 'b', checked: 10, violations: ['x', 'y'] },
      ],
    });
    assert.equal(record.date, '2026-12-07T10:00:00.000Z');
    assert.equal(record.seed, 5);
    assert.equal(record.options.brokers, 3);
    assert.deepEqual(
      record.faults.map((f) => [f.at, f.kind]),
      [
        ['3.1s', 'broker-kill'],
        ['12.0s', 'kill'],
        ['20.0s', 'pause'],
        ['30.5s', 'broker-restart'],
      ],
    );
    assert.deepEqual(record.faultCounts, { 'broker-kill': 1, kill: 1, pause: 1, 'broker-restart': 1 });
    assert.deepEqual(record.invariants[1], { id: '3', invariant: 'b', checked: 10, violations: 2 });
    assert.equal(record.violations, 2);
    assert.deepEqual(record.timingsMs, { drive: 60000 });
    assert.equal(faultEntries(new RunRecords()).length, 0);
  });
});
