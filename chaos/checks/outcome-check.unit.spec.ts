import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { orderRow, placedOrder, storedOrders } from '../../test/support/chaos-check-fixtures.ts';
import type { Disruption } from './check-result.ts';
import { compareOutcomes, outcomeCheck } from './outcome-check.ts';
import type { HistoryRow } from './timed-out-step.ts';

const timedOut = { status: 'CANCELLED', state: 'cancelled', cancel_reason: 'timeout' };
/** Order n's payment step ran from second 10 to second 20 and then gave up. */
const paymentGaveUp = (n: number): HistoryRow[] => [
  {
    order_id: `order-${n}`,
    kind: 'saga_started',
    from_state: null,
    to_state: 'reservingStock',
    at: new Date(5_000),
  },
  {
    order_id: `order-${n}`,
    kind: 'reply_received',
    from_state: 'reservingStock',
    to_state: 'processingPayment',
    at: new Date(10_000),
  },
  {
    order_id: `order-${n}`,
    kind: 'deadline_passed',
    from_state: 'processingPayment',
    to_state: 'releasingStock',
    at: new Date(20_000),
  },
];
const disruption = (what: string, services: string[], from: number, to: number | null): Disruption => ({
  what,
  services,
  from,
  to,
});

describe('chaos check 6: expected outcome per kind (pure)', () => {
  test('each kind ends as expected; orders the database does not hold are not checked here', () => {
    const placed = [
      placedOrder(1, 'happy'),
      placedOrder(2, 'declined'),
      placedOrder(3, 'silent'),
      placedOrder(4, 'happy'),
    ];
    const orders = storedOrders(
      [
        orderRow(1),
        orderRow(2, { status: 'CANCELLED', state: 'cancelled', cancel_reason: 'payment_declined' }),
        orderRow(3, timedOut),
      ],
      placed,
    );
    const outcomes = compareOutcomes(placed, orders);
    assert.deepEqual([outcomes.checked, outcomes.mismatched], [3, []]);
    assert.deepEqual(outcomeCheck(outcomes, new Map(), [], 15_000).violations, []);
  });

  test('a timeout is explained by a disruption of the step’s participant, the orchestrator or the broker, up to the grace after it', () => {
    const placed = [1, 2, 3, 4].map((n) => placedOrder(n, 'happy'));
    const orders = storedOrders(
      placed.map((p) => orderRow(p.n, timedOut)),
      placed,
    );
    const outcomes = compareOutcomes(placed, orders);
    assert.equal(outcomes.mismatched.length, 4);
    const histories = new Map([1, 2, 3].map((n) => [`order-${n}`, paymentGaveUp(n)]));
    const explainedBy = (disruptions: Disruption[], graceMs = 0) =>
      outcomeCheck(outcomes, histories, disruptions, graceMs);

    const byPayment = explainedBy([disruption('kill -9 payment-1', ['payment'], 15_000, 16_000)]);
    assert.deepEqual(byPayment.violations, [
      'order order-4 (#4, happy) ended CANCELLED/timeout, expected COMPLETED; no forward step ran out of attempts',
    ]);
    assert.deepEqual(byPayment.notes, [
      '3 × happy → CANCELLED/timeout: timed out during a kill/broker restart (explained)',
      '1 × happy → CANCELLED/timeout: UNEXPLAINED',
    ]);

    const byShipping = explainedBy([disruption('kill -9 shipping-1', ['shipping'], 15_000, 16_000)]);
    assert.equal(byShipping.violations.length, 4, 'another participant’s kill explains nothing');
    assert.match(
      byShipping.violations[0] as string,
      /^order order-1 \(#1, happy\) ended CANCELLED\/timeout, expected COMPLETED: processingPayment from 1970-01-01T00:00:10\.000Z to 1970-01-01T00:00:20\.000Z overlapped no disruption$/,
    );

    const endedBefore = [disruption('kill -9 orchestrator-1', ['orchestrator'], 1_000, 4_000)];
    assert.equal(explainedBy(endedBefore).violations.length, 4);
    assert.equal(explainedBy(endedBefore, 6_000).violations.length, 1, 'its backlog lasts the grace period');
    assert.equal(
      explainedBy([disruption('broker restart 1', ['payment'], 19_000, null)]).violations.length,
      1,
    );
    assert.equal(explainedBy([disruption('later', ['payment'], 21_000, 22_000)]).violations.length, 4);
  });

  test('any other wrong outcome is a violation', () => {
    const placed = [placedOrder(1, 'declined')];
    const orders = storedOrders([orderRow(1)], placed);
    const result = outcomeCheck(compareOutcomes(placed, orders), new Map(), [], 15_000);
    assert.deepEqual(result.violations, [
      'order order-1 (#1, declined) ended COMPLETED, expected CANCELLED/payment_declined',
    ]);
    assert.deepEqual(result.notes, ['1 × declined → COMPLETED: UNEXPLAINED']);
  });
});
