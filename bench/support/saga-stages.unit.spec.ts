import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  appliedType,
  legDurations,
  orchestratorLegSplit,
  sagaStages,
  stageDurations,
} from './saga-stages.ts';

/** OrderPlaced at `placed` (none when null), then an OrderStatusChanged at each of `changes`. */
const lifecycle = (placed: number | null, changes: number[]) => [
  ...(placed === null ? [] : [{ type: 'OrderPlaced', atEpochMs: placed }]),
  ...changes.map((atEpochMs) => ({ type: 'OrderStatusChanged', atEpochMs })),
];

describe('stageDurations', () => {
  it('splits POST → seen into the saga hops at its lifecycle events', () => {
    const stages = stageDurations(1_000, lifecycle(1_012, [1_040, 1_075, 1_110]), 1_111, 1_130);
    assert.deepEqual(stages, { accept: 12, inventory: 28, payment: 35, shipping: 36, observe: 19 });
    const total = sagaStages.reduce((sum, stage) => sum + (stages?.[stage] ?? 0), 0);
    assert.equal(total, 130, 'the stages add up to POST → seen');
  });

  it('needs OrderPlaced and the status changes of the first two steps', () => {
    assert.equal(stageDurations(0, lifecycle(null, [5, 9]), 12, 15), null);
    assert.equal(stageDurations(0, lifecycle(2, [5]), 12, 15), null);
    assert.deepEqual(stageDurations(0, lifecycle(2, [5, 9]), 12, 15), {
      accept: 2,
      inventory: 3,
      payment: 4,
      shipping: 3,
      observe: 3,
    });
  });
});

describe('legDurations', () => {
  const happy = [
    { type: 'OrderPlaced', atEpochMs: 100 },
    { type: 'StockReserved', atEpochMs: 130 },
    { type: 'OrderStatusChanged', atEpochMs: 150 },
    { type: 'PaymentSucceeded', atEpochMs: 190 },
    { type: 'OrderStatusChanged', atEpochMs: 200 },
    { type: 'ShippingScheduled', atEpochMs: 260 },
    { type: 'OrderStatusChanged', atEpochMs: 275 },
    { type: 'OrderCompleted', atEpochMs: 275 },
  ];

  it('splits each step at the participant reply, whatever order the topics were read in', () => {
    const expected = {
      inventoryParticipant: 30,
      inventoryOrchestrator: 20,
      paymentParticipant: 40,
      paymentOrchestrator: 10,
      shippingParticipant: 60,
      shippingOrchestrator: 15,
    };
    assert.deepEqual(legDurations(happy), expected);
    assert.deepEqual(legDurations([...happy].reverse()), expected);
  });

  it('is null when a record of the happy path is missing (a compensated saga, or one not read)', () => {
    for (const missing of [
      'OrderPlaced',
      'StockReserved',
      'PaymentSucceeded',
      'ShippingScheduled',
      'OrderCompleted',
    ])
      assert.equal(legDurations(happy.filter((r) => r.type !== missing)), null, missing);
    // A happy saga has three status changes; with one not read the steps cannot be told apart.
    assert.equal(legDurations(happy.filter((r) => r.atEpochMs !== 200)), null, 'a status change');
  });
});

describe('orchestratorLegSplit', () => {
  const happy = [
    { type: 'OrderPlaced', atEpochMs: 100 },
    { type: 'StockReserved', atEpochMs: 130 },
    { type: appliedType('StockReserved'), atEpochMs: 142 },
    { type: 'OrderStatusChanged', atEpochMs: 150 },
    { type: 'PaymentSucceeded', atEpochMs: 190 },
    { type: appliedType('PaymentSucceeded'), atEpochMs: 191 },
    { type: 'OrderStatusChanged', atEpochMs: 200 },
    { type: 'ShippingScheduled', atEpochMs: 260 },
    { type: appliedType('ShippingScheduled'), atEpochMs: 270 },
    { type: 'OrderStatusChanged', atEpochMs: 275 },
    { type: 'OrderCompleted', atEpochMs: 275 },
  ];

  it('splits each orchestrator leg where the reply was applied', () => {
    assert.deepEqual(orchestratorLegSplit(happy), {
      inventoryToApply: 12,
      inventoryToPublish: 8,
      paymentToApply: 1,
      paymentToPublish: 9,
      shippingToApply: 10,
      shippingToPublish: 5,
    });
  });

  it("is null without the applied times (the run's database was reused since)", () => {
    assert.equal(orchestratorLegSplit(happy.filter((r) => !r.type.startsWith('applied:'))), null);
  });
});
