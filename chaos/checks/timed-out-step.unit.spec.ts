import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type HistoryRow, timedOutStep } from './timed-out-step.ts';

const row = (kind: string, from: string | null, to: string | null, second: number): HistoryRow => ({
  order_id: 'order-1',
  kind,
  from_state: from,
  to_state: to,
  at: new Date(second * 1000),
});

describe('timed-out step (pure)', () => {
  test('the forward step whose last deadline passed, from when the saga entered it', () => {
    const history = [
      row('saga_started', null, 'reservingStock', 1),
      row('reply_received', 'reservingStock', 'processingPayment', 2),
      row('deadline_passed', 'processingPayment', 'processingPayment', 3), // a retry, not the end
      row('deadline_passed', 'processingPayment', 'releasingStock', 9),
      row('reply_received', 'releasingStock', 'cancelled', 10),
    ];
    assert.deepEqual(timedOutStep(history), { state: 'processingPayment', from: 2_000, to: 9_000 });
  });

  test('null without a forward step running out of attempts (a compensation deadline does not count)', () => {
    assert.equal(timedOutStep([]), null);
    assert.equal(
      timedOutStep([
        row('saga_started', null, 'reservingStock', 1),
        row('deadline_passed', 'releasingStock', 'failed', 5),
      ]),
      null,
    );
  });

  test('without the entry row, the step is dated from its give-up', () => {
    assert.deepEqual(timedOutStep([row('deadline_passed', 'schedulingShipping', 'refundingPayment', 4)]), {
      state: 'schedulingShipping',
      from: 4_000,
      to: 4_000,
    });
  });
});
