import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepCommandOf } from './reply-check.ts';
import { orderSagaGraph } from './saga-graph.ts';
import { sagaEventTypes, sagaStateNames } from './saga-types.ts';

describe('order saga graph (read from the machine definition)', () => {
  const graph = orderSagaGraph();

  it('has every public state, starting in reservingStock', () => {
    assert.deepEqual(graph.states.map((s) => s.name).sort(), [...sagaStateNames].sort());
    assert.equal(graph.initial, 'reservingStock');
  });

  it('knows the command each state sends on entry, as the reply check does', () => {
    for (const state of sagaStateNames) {
      assert.equal(graph.states.find((s) => s.name === state)?.command, stepCommandOf(state), state);
    }
  });

  it('tells forward steps, compensations, final states and the operator-waiting state apart', () => {
    const kinds = Object.fromEntries(graph.states.map((s) => [s.name, s.kind]));
    assert.deepEqual(kinds, {
      reservingStock: 'forward',
      processingPayment: 'forward',
      schedulingShipping: 'forward',
      completed: 'final',
      shipped: 'final',
      delivered: 'final',
      cancellingShipping: 'compensation',
      refundingPayment: 'compensation',
      releasingStock: 'compensation',
      cancelled: 'final',
      failed: 'waiting',
    });
  });

  it('knows the lifecycle events published on start and on entering each end state', () => {
    assert.deepEqual(graph.publishesOnStart, ['OrderPlaced']);
    const published = Object.fromEntries(
      graph.states.filter((s) => s.publishes.length > 0).map((s) => [s.name, s.publishes]),
    );
    assert.deepEqual(published, {
      completed: ['OrderCompleted'],
      shipped: ['OrderShipped'],
      delivered: ['OrderDelivered'],
      cancelled: ['OrderCancelled'],
      failed: ['OrderFailed'],
    });
  });

  it('has only known events and states in its transitions, guards by name, both branches of each guard', () => {
    const states = new Set<string>(sagaStateNames);
    for (const t of graph.transitions) {
      assert.ok((sagaEventTypes as readonly string[]).includes(t.event), t.event);
      assert.ok(states.has(t.from) && states.has(t.to), `${t.from} → ${t.to}`);
    }
    const priced = graph.transitions.filter(
      (t) => t.from === 'reservingStock' && t.event === 'StockReserved',
    );
    assert.deepEqual(
      priced.map((t) => [t.guard, t.to]),
      [
        ['catalogPricesAccepted', 'processingPayment'],
        [null, 'releasingStock'],
      ],
    );
    const cancelReasons = graph.transitions.flatMap((t) =>
      t.actions.filter((a) => a.type === 'compensate').map((a) => a.params?.reason),
    );
    assert.deepEqual([...new Set(cancelReasons)].sort(), [
      'customer_cancelled',
      'out_of_stock',
      'payment_declined',
      'price_changed',
      'shipping_failed',
      'timeout',
    ]);
  });

  it('takes CANCEL in each forward step and in completed, into the compensation of the last step that may have taken effect', () => {
    const cancels = graph.transitions.filter((t) => t.event === 'CANCEL').map((t) => [t.from, t.to]);
    assert.deepEqual(cancels, [
      ['reservingStock', 'releasingStock'],
      ['processingPayment', 'refundingPayment'],
      ['schedulingShipping', 'cancellingShipping'],
      ['completed', 'cancellingShipping'],
    ]);
  });

  it('takes the carrier events from completed to shipped to delivered, notes them while cancelling, and a pickup that left a cancel failed', () => {
    const carrier = graph.transitions
      .filter((t) => t.event === 'ShipmentPickedUp' || t.event === 'ShipmentDelivered')
      .map((t) => [t.from, t.event, t.to, t.guard]);
    assert.deepEqual(carrier, [
      ['completed', 'ShipmentPickedUp', 'shipped', null],
      ['shipped', 'ShipmentDelivered', 'delivered', null],
      ['cancellingShipping', 'ShipmentPickedUp', 'cancellingShipping', null],
      ['cancellingShipping', 'ShipmentDelivered', 'cancellingShipping', null],
      ['failed', 'ShipmentPickedUp', 'shipped', 'failedIn({"state":"cancellingShipping"})'],
    ]);
    const noted = graph.transitions.filter(
      (t) => t.from === 'cancellingShipping' && t.event.startsWith('Shipment'),
    );
    for (const t of noted) assert.deepEqual(t.actions, [{ type: 'noteFulfilment', params: null }]);
  });

  it("leaves cancellingShipping on shipping's answer: too late into delivered or shipped, else on to the refund", () => {
    const answers = graph.transitions
      .filter((t) => t.from === 'cancellingShipping' && t.event === 'ShippingCancelled')
      .map((t) => [t.to, t.guard, t.actions.map((a) => a.type)]);
    assert.deepEqual(answers, [
      ['delivered', 'parcelDelivered', ['recordFulfilment', 'disarmDeadline', 'publishOrderEvent']],
      ['shipped', 'parcelPickedUp', ['recordFulfilment']],
      ['refundingPayment', null, ['nextStep']],
    ]);
  });

  it('is plain data (JSON round trip)', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(graph)), graph);
  });
});
