import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { timeOrderedIds } from '../../lib/ids.ts';
import type { SagaMetrics } from '../../lib/metrics/saga-metrics.ts';
import { start } from '../saga/order-saga.machine.ts';
import type { HistoryRow } from '../saga/saga-history.ts';
import type { SagaContext } from '../saga/saga-types.ts';
import { SagaObservations } from './saga-observations.ts';

/** Records every call, in order. */
function recordingMetrics(): { metrics: SagaMetrics; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const record =
    (name: string) =>
    (...args: unknown[]) =>
      void calls.push([name, ...args]);
  return {
    calls,
    metrics: {
      started: record('started'),
      finished: record('finished'),
      stepLatency: record('stepLatency'),
      resent: record('resent'),
      timedOut: record('timedOut'),
      replyRejected: record('replyRejected'),
      countRefusalsOf: () => undefined,
    },
  };
}

// Placed at 08:00:00.000 UTC (a version 7 id), observed 2.5 s later.
const placedAt = Date.UTC(2026, 11, 7, 8, 0, 0);
const orderId = timeOrderedIds(() => placedAt)();
const now = new Date(placedAt + 2_500);

/** A new saga's context (the machine's own), with `overrides`. */
const context = (overrides: Partial<SagaContext> = {}): SagaContext => ({
  ...start({
    orderId,
    retryPolicy: { forwardAttempts: 3, compensationAttempts: 3 },
    pricing: { currency: 'EUR', lines: [] },
  }).snapshot.context,
  ...overrides,
});

const sent = (command: string, attempt: number): HistoryRow => ({
  order_id: orderId,
  kind: 'command_sent',
  type: command,
  message_id: null,
  from_state: null,
  to_state: null,
  detail: { attempt, round: 0 },
  at: now,
});

describe('saga observations', () => {
  test('nothing reaches the metrics before the commit; then each event counts once', () => {
    const { metrics, calls } = recordingMetrics();
    const observed = new SagaObservations(metrics, now);
    observed.started(2);
    observed.taken({
      orderId,
      cause: 'reply',
      from: 'processingPayment',
      to: 'releasingStock',
      context: context({ cancelReason: 'payment_declined' }),
      history: [sent('ReleaseStock', 1)],
      stepSentAt: new Date(now.getTime() - 40),
    });
    observed.taken({
      orderId,
      cause: 'reply',
      from: 'releasingStock',
      to: 'cancelled',
      context: context({ cancelReason: 'payment_declined' }),
      history: [],
      stepSentAt: undefined,
    });
    observed.rejected({
      ...sent('PaymentSucceeded', 1),
      kind: 'reply_rejected',
      detail: { reason: 'wrong_topic' },
    });
    assert.deepEqual(calls, []);
    observed.committed();
    assert.deepEqual(calls, [
      ['started', 2],
      ['replyRejected', 'wrong_topic'],
      ['stepLatency', 'ProcessPayment', 0.04],
      ['finished', 'cancelled', 'payment_declined', 2.5],
    ]);
  });

  test('a passed deadline is a timeout of the step; a command sent again is a re-send', () => {
    const { metrics, calls } = recordingMetrics();
    const observed = new SagaObservations(metrics, now);
    observed.taken({
      orderId,
      cause: 'deadline',
      from: 'processingPayment',
      to: 'processingPayment',
      context: context({ attempt: 2 }),
      history: [sent('ProcessPayment', 2)],
      stepSentAt: now,
    });
    observed.taken({
      orderId,
      cause: 'deadline',
      from: 'releasingStock',
      to: 'failed',
      context: context({ failure: { step: 'ReleaseStock', state: 'releasingStock', reason: 'timeout' } }),
      history: [],
      stepSentAt: now,
    });
    observed.committed();
    assert.deepEqual(calls, [
      ['timedOut', 'ProcessPayment'],
      ['resent', 'ProcessPayment'],
      ['timedOut', 'ReleaseStock'],
      ['finished', 'failed', 'ReleaseStock', 2.5],
    ]);
  });

  test('a completed saga has the empty reason; an order id that is not time-ordered has no duration', () => {
    const { metrics, calls } = recordingMetrics();
    const observed = new SagaObservations(metrics, now);
    const versionFive = '6ba7b810-9dad-51d1-80b4-00c04fd430c8';
    observed.taken({
      orderId: versionFive,
      cause: 'reply',
      from: 'schedulingShipping',
      to: 'completed',
      context: context(),
      history: [],
      stepSentAt: undefined,
    });
    observed.committed();
    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0]?.slice(0, 3), ['finished', 'completed', '']);
    assert.ok(Number.isNaN(calls[0]?.[3]));
  });
});
