import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  deadlineRetryDelayMs,
  defaultDeadlineFailurePolicy,
  describeError,
  isParked,
} from './deadline-failures.ts';
import { sagaRowStatus } from './in-flight-counter.ts';

describe('deadline failures', () => {
  test('a failing deadline backs off, doubling, up to the longest wait', () => {
    const policy = { maxFailures: 5, backoffMs: 1_000, maxBackoffMs: 5_000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 1_000].map((n) => deadlineRetryDelayMs(policy, n)),
      [1_000, 2_000, 4_000, 5_000, 5_000, 5_000],
    );
    assert.equal(defaultDeadlineFailurePolicy.maxFailures, 5);
  });

  test("a parked saga row is a FAILED order whatever its state; otherwise its state's status", () => {
    assert.equal(isParked({ parked: true }), true);
    assert.equal(isParked({ parked: false }), false);
    assert.equal(sagaRowStatus({ parked: true, state: 'reservingStock' }), 'FAILED');
    assert.equal(sagaRowStatus({ parked: false, state: 'failed' }), 'FAILED', "the machine's own FAILED");
    assert.equal(sagaRowStatus({ parked: false, state: 'reservingStock' }), 'PENDING');
    assert.equal(sagaRowStatus({ parked: false, state: 'shipped' }), 'COMPLETED');
  });

  test('the error is recorded by name, message and code, never its stack', () => {
    const error = Object.assign(new Error('lock not available'), { code: '55P03' });
    assert.deepEqual(describeError(error), { name: 'Error', message: 'lock not available', code: '55P03' });
    assert.deepEqual(describeError('text'), { name: 'Error', message: 'text' });
  });
});
