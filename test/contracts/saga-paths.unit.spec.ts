/**
 * Every path of the order saga, generated from the machine's own graph (@xstate/graph): every event
 * sequence the machine allows from its initial state — replies of each kind, both outcomes of each
 * guard, deadlines with their re-sends, operator retries — up to two retry rounds. Each path must
 * end in a final state or the operator-waiting one, and undo every forward step that took effect
 * exactly once, in reverse order (compensation-check.ts). No snapshot may be trapped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathProblems } from '../../orchestrator/saga/compensation-check.ts';
import {
  orderSagaMachine,
  type SagaSnapshot,
  start,
  step,
} from '../../orchestrator/saga/order-saga.machine.ts';
import { orderSagaCompensations } from '../../orchestrator/saga/saga-compensations.ts';
import { orderSagaGraph, sagaGraphOf, settledTag } from '../../orchestrator/saga/saga-graph.ts';
import { type SagaEvent, type SagaInput, sagaEventTypes } from '../../orchestrator/saga/saga-types.ts';
import { type MiniSagaDefect, miniSaga, miniSagaCompensations } from '../support/mini-sagas.ts';
import { walkSaga } from '../support/saga-path-walk.ts';

/** One line with the customer's expected price, one without; two attempts per step. */
const lines = [
  { sku: 'SKU-A', quantity: 2, expectedUnitPrice: 1999 },
  { sku: 'SKU-B', quantity: 1, expectedUnitPrice: null },
];
const retryPolicy = { forwardAttempts: 2, compensationAttempts: 2 };
const input: SagaInput = {
  orderId: '00000000-0000-4000-8000-000000000001',
  retryPolicy,
  pricing: { currency: 'EUR', lines },
};
const maxRounds = 2;

/** Payloads that drive the catalog-price guard both ways: the expected prices, and a changed one. */
const guardedEvents: SagaEvent[] = [
  {
    type: 'StockReserved',
    lines: [
      { sku: 'SKU-A', unitPrice: 1999, currency: 'EUR' },
      { sku: 'SKU-B', unitPrice: 500, currency: 'EUR' },
    ],
  },
  {
    type: 'StockReserved',
    lines: [
      { sku: 'SKU-A', unitPrice: 2499, currency: 'EUR' },
      { sku: 'SKU-B', unitPrice: 500, currency: 'EUR' },
    ],
  },
  // The carrier's events carry their times.
  { type: 'ShipmentPickedUp', carrier: 'DHL', pickedUpAt: '2026-12-07T10:00:00.000Z' },
  {
    type: 'ShipmentDelivered',
    carrier: 'DHL',
    pickedUpAt: '2026-12-07T10:00:00.000Z',
    deliveredAt: '2026-12-07T10:00:30.000Z',
  },
  // Shipping's answers to CancelShipping: cancelled; nothing to cancel; too late, with the parcel
  // picked up or delivered (or without it, the carrier's event having told the saga before).
  { type: 'ShippingCancelled', cancelled: true, parcel: null },
  { type: 'ShippingCancelled', cancelled: false, parcel: null },
  {
    type: 'ShippingCancelled',
    cancelled: false,
    parcel: { carrier: 'DHL', pickedUpAt: '2026-12-07T10:00:00.000Z', deliveredAt: null },
  },
  {
    type: 'ShippingCancelled',
    cancelled: false,
    parcel: {
      carrier: 'DHL',
      pickedUpAt: '2026-12-07T10:00:00.000Z',
      deliveredAt: '2026-12-07T10:00:30.000Z',
    },
  },
];

const walk = walkSaga(orderSagaMachine, {
  input,
  events: guardedEvents,
  stopWhen: (snapshot) => snapshot.value === 'failed' && snapshot.context.round >= maxRounds,
  // A completed (or shipped) order rests there unless cancelled (delivered): a path ends in it, and goes on.
  restsIn: (snapshot) => snapshot.hasTag(settledTag),
});
const graph = orderSagaGraph();

describe('order saga: every path of the machine', () => {
  it(`walks ${walk.paths.length} paths through ${walk.snapshots} snapshots, none trapped`, () => {
    assert.ok(walk.paths.length > 500, `${walk.paths.length} paths`);
    assert.deepEqual(walk.trapped, []);
  });

  it('every path ends completed, shipped, delivered, cancelled or failed (waiting for an operator), and each end is reached', () => {
    const ends = new Set(walk.paths.map((p) => String(p.end.value)));
    assert.deepEqual([...ends].sort(), ['cancelled', 'completed', 'delivered', 'failed', 'shipped']);
  });

  it('every path undoes every step that took effect exactly once, in reverse order', () => {
    const problems = walk.paths.flatMap((path) =>
      pathProblems(graph, orderSagaCompensations, path.steps).map(
        (problem) => `${path.steps.map((s) => s.event).join(' ')}: ${problem}`,
      ),
    );
    assert.deepEqual(problems.slice(0, 5), []);
  });

  it('takes every transition of the graph (both branches of every guard) and every event type', () => {
    const taken = new Set(
      walk.paths.flatMap((path) => {
        let at = graph.initial;
        return path.steps.map((s) => {
          const edge = `${at} --${s.event}--> ${s.to}`;
          at = s.to;
          return edge;
        });
      }),
    );
    const missing = graph.transitions
      .map((t) => `${t.from} --${t.event}--> ${t.to}`)
      .filter((e) => !taken.has(e));
    assert.deepEqual(missing, []);
    const events = new Set(walk.paths.flatMap((p) => p.steps.map((s) => s.event)));
    assert.deepEqual(
      [...sagaEventTypes].filter((type) => !events.has(type)),
      [],
    );
  });

  it("the runner's start/step take every path exactly as the machine does", () => {
    for (const path of walk.paths) {
      let snapshot: SagaSnapshot = start(input).snapshot;
      path.events.forEach((event, i) => {
        const result = step(snapshot, event as SagaEvent);
        assert.ok(result.accepted, `${event.type} accepted at step ${i + 1}`);
        assert.equal(result.snapshot.value, path.steps[i]?.to);
        snapshot = result.snapshot;
      });
      assert.deepEqual(snapshot.context, path.end.context);
    }
  });
});

describe('the path checks fail on a broken saga', () => {
  const problemsOf = (defect: MiniSagaDefect): string[] => {
    const machine = miniSaga(defect);
    const mini = sagaGraphOf(machine);
    const paths = walkSaga(machine, { input: undefined, events: [] }).paths;
    return [...new Set(paths.flatMap((p) => pathProblems(mini, miniSagaCompensations, p.steps)))];
  };

  it('a sound two-step saga passes', () => {
    assert.deepEqual(problemsOf('none'), []);
  });

  it('a declined payment that cancels without releasing the stock', () => {
    assert.deepEqual(problemsOf('payment-declined-keeps-stock'), [
      'ends in cancelled with reservingStock never undone',
    ]);
  });

  it('a payment timeout that skips the refund', () => {
    assert.ok(
      problemsOf('payment-timeout-skips-refund').includes(
        'event 2, processingPayment --DEADLINE_PASSED--> releasingStock: undoes reservingStock, but the next to undo is processingPayment',
      ),
    );
  });

  it('a cancel while the payment is in flight that skips its refund', () => {
    assert.ok(
      problemsOf('cancel-skips-in-flight').includes(
        'event 2, processingPayment --CANCEL--> releasingStock: undoes reservingStock, but the next to undo is processingPayment',
      ),
    );
  });

  it('a cancel after completion that skips the refund', () => {
    const machine = miniSaga('cancel-after-completion-skips-refund');
    const walk = walkSaga(machine, {
      input: undefined,
      events: [],
      restsIn: (snapshot) => snapshot.hasTag(settledTag),
    });
    assert.ok(
      walk.paths.some((p) => p.end.value === 'completed'),
      'a path rests in completed',
    );
    const problems = walk.paths.flatMap((p) =>
      pathProblems(sagaGraphOf(machine), miniSagaCompensations, p.steps),
    );
    assert.ok(
      problems.includes(
        'event 3, completed --CANCEL--> releasingStock: undoes reservingStock, but the next to undo is processingPayment',
      ),
      problems.join('\n'),
    );
  });

  it('a compensation given up (into a final state) after a step was undone', () => {
    assert.ok(
      problemsOf('completes-after-refund').includes(
        'event 4, releasingStock --ShipmentPickedUp--> completed: gives up compensating after processingPayment was undone',
      ),
    );
  });

  it('a dead end: a state with no way on that is neither final nor waiting', () => {
    const mini = sagaGraphOf(miniSaga('none'));
    assert.deepEqual(
      pathProblems(mini, miniSagaCompensations, [{ event: 'StockReserved', to: 'processingPayment' }]),
      ['ends in processingPayment, which is neither final nor waiting for an operator (a dead end)'],
    );
  });
});
