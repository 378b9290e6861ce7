import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createMachine,
  type ExecutableActionObject,
  fromPromise,
  initialTransition,
  transition,
} from 'xstate';
import { Prng } from '../../lib/random/prng.ts';
import { orderSagaMachine, type SagaSnapshot } from './order-saga.machine.ts';
import { pureTransitionsOf } from './pure-transitions.ts';
import { type CatalogLine, type Fulfilment, type SagaEvent, sagaEventTypes } from './saga-types.ts';

const parcels = [
  null,
  { carrier: 'DHL', pickedUpAt: '2026-12-07T10:00:00.000Z', deliveredAt: null },
  { carrier: 'DHL', pickedUpAt: '2026-12-07T10:00:00.000Z', deliveredAt: '2026-12-07T10:00:30.000Z' },
];

/** An event of the type with the data its guards and actions read, some of it drawn at random. */
function eventWithData(type: SagaEvent['type'], lines: CatalogLine[], random: Prng): SagaEvent {
  const { carrier, pickedUpAt, deliveredAt } = parcels[2] as Fulfilment & { deliveredAt: string };
  switch (type) {
    case 'StockReserved':
      return { type, lines };
    case 'ShippingCancelled':
      return { type, cancelled: random.int(0, 1) === 1, parcel: random.pick(parcels) };
    case 'ShipmentPickedUp':
      return { type, carrier, pickedUpAt };
    case 'ShipmentDelivered':
      return { type, carrier, pickedUpAt, deliveredAt };
    default:
      return { type } as SagaEvent;
  }
}

const dataOf = (actions: readonly ExecutableActionObject[]) =>
  actions.map(({ type, params }) => ({ type, params }));
const stateOf = (snapshot: SagaSnapshot) => ({
  value: snapshot.value,
  context: snapshot.context,
  status: snapshot.status,
});

describe("pure transitions: xstate's initialTransition() and transition() without a throw-away actor", () => {
  const pure = pureTransitionsOf(orderSagaMachine);

  test("give the order saga's snapshots and actions xstate's helpers give, over 2,000 random walks", () => {
    const random = new Prng(20261202);
    let transitionsCompared = 0;
    for (let walk = 0; walk < 2_000; walk++) {
      const input = {
        orderId: `order-${walk}`,
        retryPolicy: { forwardAttempts: random.int(1, 3), compensationAttempts: random.int(1, 3) },
        pricing: { currency: 'EUR', lines: [{ sku: 'SKU-A', quantity: 2, expectedUnitPrice: 1999 }] },
      };
      const [ours, ourActions] = pure.initialTransition(input);
      const [theirs, theirActions] = initialTransition(orderSagaMachine, input);
      assert.deepEqual(stateOf(ours), stateOf(theirs));
      assert.deepEqual(dataOf(ourActions), dataOf(theirActions));
      let snapshot = ours;
      for (let i = 0; i < 12 && snapshot.status === 'active'; i++) {
        const type = random.pick(sagaEventTypes);
        // StockReserved at the expected price, or not: both of its transitions are walked.
        const lines = [{ sku: 'SKU-A', unitPrice: random.int(1998, 1999), currency: 'EUR' }];
        const event = eventWithData(type, lines, random);
        const [next, actions] = pure.transition(snapshot, event);
        const [expected, expectedActions] = transition(orderSagaMachine, snapshot, event);
        assert.deepEqual(
          stateOf(next),
          stateOf(expected),
          `walk ${walk}, ${event.type} in ${snapshot.value}`,
        );
        assert.deepEqual(
          dataOf(actions),
          dataOf(expectedActions),
          `walk ${walk}, ${event.type} in ${snapshot.value}`,
        );
        // An event the state does not take returns the very snapshot it was given, as xstate's does.
        assert.equal(next === snapshot, expected === snapshot);
        snapshot = next;
        transitionsCompared++;
      }
    }
    assert.ok(transitionsCompared > 10_000, `only ${transitionsCompared} transitions compared`);
  });

  test('refuse machines that invoke actors or have delayed transitions', () => {
    const invoking = createMachine({
      initial: 'a',
      states: { a: { invoke: { src: fromPromise(async () => 1) } } },
    });
    const delayed = createMachine({ initial: 'a', states: { a: { after: { 100: 'b' } }, b: {} } });
    assert.throws(() => pureTransitionsOf(invoking), /without invocations or delayed transitions; state .*a/);
    assert.throws(() => pureTransitionsOf(delayed), /without invocations or delayed transitions; state .*a/);
  });
});
