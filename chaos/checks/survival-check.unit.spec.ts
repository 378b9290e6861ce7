import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { survivalCheck } from './survival-check.ts';

describe('chaos check 7: services survive (pure)', () => {
  test('an exit nobody caused and every finding of the run are violations; slow restarts are notes', () => {
    const result = survivalCheck({
      instances: 8,
      unexpectedExits: [
        {
          instance: 'payment-2',
          code: 1,
          signal: null,
          at: new Date(0),
          log: '/repo/.stack/chaos-logs/run/payment-2.log',
        },
      ],
      findings: ['no quiescence within --timeout-s 240: …'],
      kills: 5,
      slowLiveMs: [25_000, 21_000],
      availability: ['shipping-1 (kill 3) did not answer HTTP within 60 s of its restart'],
      repoRoot: '/repo',
    });
    assert.equal(result.checked, 8);
    assert.deepEqual(result.violations, [
      'payment-2 exited by itself at 1970-01-01T00:00:00.000Z (code 1, signal null); log .stack/chaos-logs/run/payment-2.log',
      'no quiescence within --timeout-s 240: …',
    ]);
    assert.deepEqual(result.notes, [
      'availability (not a violation): 2 of 5 restarted instances answered HTTP only 21.0s–25.0s after their restart',
      'availability (not a violation): shipping-1 (kill 3) did not answer HTTP within 60 s of its restart',
    ]);
  });

  test('nothing to report: no violation, no note', () => {
    const result = survivalCheck({
      instances: 8,
      unexpectedExits: [],
      findings: [],
      kills: 3,
      slowLiveMs: [],
      availability: [],
      repoRoot: '/repo',
    });
    assert.deepEqual([result.violations, result.notes], [[], []]);
  });
});
