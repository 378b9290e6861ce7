import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { placedOrder } from '../test/support/chaos-check-fixtures.ts';
import type { CheckResult } from './checks/check-result.ts';
import { RunRecords } from './run-records.ts';
import { reportSummary, reportTable, violationCount } from './run-report.ts';

const results: CheckResult[] = [
  {
    id: '0',
    invariant: 'acknowledged orders exist exactly once',
    checked: 200,
    violations: [],
    notes: ['a note'],
  },
  {
    id: '5d',
    invariant: 'no dead letters',
    checked: 7,
    violations: Array.from({ length: 14 }, (_, i) => `topic-${i}-dlt: 1 dead letters`),
  },
];

describe('chaos run report (pure)', () => {
  test('the table: one row per check, numbers right-aligned', () => {
    assert.equal(
      reportTable(results),
      [
        'invariant                                  | checked | violations',
        '-------------------------------------------|---------|-----------',
        '0   acknowledged orders exist exactly once |     200 |          0',
        '5d  no dead letters                        |       7 |         14',
      ].join('\n'),
    );
    assert.equal(violationCount(results), 14);
  });

  test('notes, the first 12 violations of each check, what happened, and the verdict line last', () => {
    const records = new RunRecords();
    records.kills.push(
      { victim: 'shipping-1', planned: 'payment-1', downMs: 519, at: '8.5s', readyAfterMs: 24_300, note: '' },
      { victim: 'payment-2', planned: 'payment-2', downMs: 300, at: '9.0s', readyAfterMs: null, note: '' },
    );
    records.timings.setup = 11_800;
    records.timings.drive = 64_200;
    const summary = reportSummary({
      results,
      placed: [placedOrder(1, 'happy'), placedOrder(2, 'silent'), placedOrder(3, 'happy')],
      records,
      total: '79.1s',
      seed: 42,
      command: 'npm run chaos -- --seed 42',
      logs: '.stack/chaos-logs/42-x',
    });
    const lines = summary.split('\n');
    assert.equal(lines[0], '');
    assert.ok(lines.includes('  0: a note'));
    assert.equal(lines.filter((l) => l.startsWith('  5d VIOLATION: ')).length, 12);
    assert.ok(lines.includes('  5d: … 2 more (report.json)'));
    assert.deepEqual(lines.slice(-10), [
      '',
      'orders by kind: 2 happy, 1 silent',
      'kills: 8.5s shipping-1 (for payment-1) down 519ms, ready 24.3s; 9.0s payment-2 down 300ms, ready ?',
      'broker restarts: none',
      'silent windows: none',
      'more faults: none',
      'timings: setup 11.8s, drive 64.2s, total 79.1s',
      'seed 42; reproduce: npm run chaos -- --seed 42',
      'logs: .stack/chaos-logs/42-x/',
      'chaos: 3 orders, 2 kills, 0 broker restarts, 14 violations',
    ]);
  });
});
