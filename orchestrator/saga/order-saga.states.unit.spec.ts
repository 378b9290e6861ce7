/** The order saga state by state: what each ignores, its status, its persisted form, its pricing and its command. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cancelledWith,
  catalog,
  catalogLines,
  DEADLINE,
  enter,
  eventOf,
  input,
  run,
} from '../../test/support/order-saga-runs.ts';
import {
  canAccept,
  isTerminal,
  orderStatusOf,
  restore,
  type SagaSnapshot,
  start,
  step,
  toPersisted,
} from './order-saga.machine.ts';
import { stepCommandOf } from './reply-check.ts';
import type { CommandName, OrderStatus, SagaAction, SagaEvent, SagaStateName } from './saga-types.ts';
import { sagaEventTypes, sagaStateNames } from './saga-types.ts';

describe('order saga: unexpected events are ignored (no change, no actions)', () => {
  const cases: { name: string; given: SagaEvent['type'][]; event: SagaEvent['type'] }[] = [
    { name: 'RETRY while reserving stock', given: [], event: 'RETRY' },
    { name: 'RETRY while releasing stock', given: ['StockReserved', 'PaymentFailed'], event: 'RETRY' },
    {
      name: 'RETRY after completion',
      given: ['StockReserved', 'PaymentSucceeded', 'ShippingScheduled'],
      event: 'RETRY',
    },
    { name: 'RETRY after cancellation', given: ['StockRejected'], event: 'RETRY' },
    {
      name: 'late StockReserved while releasing stock',
      given: [DEADLINE, DEADLINE, DEADLINE],
      event: 'StockReserved',
    },
    { name: 'duplicate StockReserved', given: ['StockReserved'], event: 'StockReserved' },
    { name: 'duplicate PaymentFailed', given: ['StockReserved', 'PaymentFailed'], event: 'PaymentFailed' },
    {
      name: 'late ShippingScheduled while cancelling shipping',
      given: ['StockReserved', 'PaymentSucceeded', DEADLINE, DEADLINE, DEADLINE],
      event: 'ShippingScheduled',
    },
    { name: 'reply for another step', given: [], event: 'PaymentSucceeded' },
    {
      name: 'duplicate StockReleased after cancellation',
      given: ['StockReserved', 'PaymentFailed', 'StockReleased'],
      event: 'StockReleased',
    },
    {
      name: 'stale deadline after completion',
      given: ['StockReserved', 'PaymentSucceeded', 'ShippingScheduled'],
      event: DEADLINE,
    },
    {
      name: 'stale deadline while failed',
      given: ['StockReserved', 'PaymentFailed', DEADLINE, DEADLINE],
      event: DEADLINE,
    },
    {
      name: 'late StockReleased while failed',
      given: ['StockReserved', 'PaymentFailed', DEADLINE, DEADLINE],
      event: 'StockReleased',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const given = run(c.given).snapshot;
      assert.equal(canAccept(given, eventOf(c.event)), false);
      const result = step(given, eventOf(c.event));
      assert.deepEqual(result, { snapshot: given, actions: [], accepted: false });
    });
  }

  it('step accepts exactly what canAccept accepts, in every reachable state, for every event', () => {
    const everyEvent = sagaEventTypes;
    const histories: SagaEvent['type'][][] = [
      [],
      ['StockReserved'],
      ['StockReserved', 'PaymentSucceeded'],
      ['StockReserved', 'PaymentSucceeded', 'ShippingScheduled'],
      ['StockReserved', 'PaymentSucceeded', 'ShippingFailed'],
      ['StockReserved', 'PaymentSucceeded', 'ShippingFailed', 'PaymentRefunded'],
      ['StockReserved', 'PaymentFailed', 'StockReleased'],
      ['StockReserved', 'PaymentFailed', DEADLINE, DEADLINE],
      [DEADLINE, DEADLINE],
    ];
    let accepted = 0;
    for (const history of histories) {
      const given = run(history).snapshot;
      for (const type of everyEvent) {
        const result = step(given, eventOf(type));
        assert.equal(result.accepted, canAccept(given, eventOf(type)), `${given.value} + ${type}`);
        if (result.accepted) accepted += 1;
        else assert.equal(result.snapshot, given);
      }
    }
    assert.ok(accepted > histories.length, 'the table exercises accepted events too');
  });

  it('canAccept is true for an expected event (RETRY in failed)', () => {
    const failed = run(['StockReserved', 'PaymentFailed', DEADLINE, DEADLINE]).snapshot;
    assert.equal(canAccept(failed, eventOf('RETRY')), true);
  });
});

describe('order saga: status of each state', () => {
  const table: [SagaStateName, OrderStatus, boolean][] = [
    ['reservingStock', 'PENDING', false],
    ['processingPayment', 'PENDING', false],
    ['schedulingShipping', 'PENDING', false],
    ['cancellingShipping', 'PENDING', false],
    ['refundingPayment', 'PENDING', false],
    ['releasingStock', 'PENDING', false],
    ['completed', 'COMPLETED', true],
    ['cancelled', 'CANCELLED', true],
    ['failed', 'FAILED', true],
  ];
  for (const [state, status, terminal] of table) {
    it(`${state} → ${status}${terminal ? ' (terminal)' : ''}`, () => {
      assert.equal(orderStatusOf(state), status);
      assert.equal(isTerminal(state), terminal);
    });
  }
});

describe('order saga: persist → JSON → restore', () => {
  // Exercises attempt, round, cancelReason and failure; ends with a duplicate reply that must stay ignored.
  const path: SagaEvent['type'][] = [
    'StockReserved',
    'PaymentSucceeded',
    DEADLINE,
    DEADLINE,
    DEADLINE,
    DEADLINE,
    DEADLINE,
    'RETRY',
    'ShippingCancelled',
    'PaymentRefunded',
    'StockReleased',
    'StockReleased',
  ];
  const uninterrupted = run(path);

  for (let cut = 0; cut <= path.length; cut++) {
    it(`restoring after ${cut} event(s) continues exactly as without persisting`, () => {
      const before = run(path.slice(0, cut));
      const restored = restore(JSON.parse(JSON.stringify(toPersisted(before.snapshot))));
      assert.deepEqual(toPersisted(restored), toPersisted(before.snapshot));
      const after = run(path.slice(cut), restored);
      assert.deepEqual(
        [...before.steps, ...after.steps].map(({ actions, accepted }) => ({ actions, accepted })),
        uninterrupted.steps.map(({ actions, accepted }) => ({ actions, accepted })),
      );
      assert.deepEqual(toPersisted(after.snapshot), toPersisted(uninterrupted.snapshot));
    });
  }

  it('the uninterrupted path ends cancelled by timeout after one RETRY', () => {
    assert.deepEqual(toPersisted(uninterrupted.snapshot), {
      value: 'cancelled',
      context: { ...input, attempt: 1, round: 1, cancelReason: 'timeout', failure: null, catalog },
    });
  });

  it('refuses an unknown persisted state', () => {
    const persisted = { ...toPersisted(start(input).snapshot), value: 'shipping' as SagaStateName };
    assert.throws(() => restore(persisted), /unknown persisted state "shipping"/);
  });
});

describe('order saga: catalog prices', () => {
  const reserved = (lines: SagaEvent & { type: 'StockReserved' }) => step(start(input).snapshot, lines);

  it('prices equal to the expected ones → processingPayment, the catalog total kept', () => {
    const result = reserved({ type: 'StockReserved', lines: catalogLines });
    assert.equal(result.snapshot.value, 'processingPayment');
    assert.deepEqual(result.snapshot.context.catalog, catalog);
    assert.deepEqual(result.actions, enter('ProcessPayment'));
  });

  it('no expected price on any line → the catalog total, whatever the catalog says', () => {
    const lines = input.pricing.lines.map((l) => ({ ...l, expectedUnitPrice: null }));
    const snapshot = start({ ...input, pricing: { currency: 'EUR', lines } }).snapshot;
    const dearer = catalogLines.map((l) => ({ ...l, unitPrice: l.unitPrice + 100 }));
    const result = step(snapshot, { type: 'StockReserved', lines: dearer });
    assert.equal(result.snapshot.value, 'processingPayment');
    assert.equal(result.snapshot.context.catalog?.total, 3 * 2099 + 3 * 600);
  });

  it('an expected price the catalog does not have → releasingStock, then CANCELLED price_changed', () => {
    const cheaper = catalogLines.map((l) => (l.sku === 'SKU-A' ? { ...l, unitPrice: 1899 } : l));
    const result = reserved({ type: 'StockReserved', lines: cheaper });
    assert.equal(result.snapshot.value, 'releasingStock');
    assert.equal(result.snapshot.context.cancelReason, 'price_changed');
    assert.deepEqual(result.actions, enter('ReleaseStock', { compensation: true }));
    assert.equal(result.snapshot.context.catalog?.total, 3 * 1899 + 3 * 500, 'the catalog prices are kept');
    const released = step(result.snapshot, { type: 'StockReleased' });
    assert.equal(released.snapshot.value, 'cancelled');
    assert.deepEqual(released.actions, cancelledWith('price_changed'));
  });

  it('a line without a catalog price (a version-1 StockReserved has none) → price_changed, no total', () => {
    for (const lines of [[], catalogLines.filter((l) => l.sku === 'SKU-A')]) {
      const result = reserved({ type: 'StockReserved', lines });
      assert.equal(result.snapshot.value, 'releasingStock');
      assert.equal(result.snapshot.context.cancelReason, 'price_changed');
      assert.equal(result.snapshot.context.catalog, null);
    }
  });

  it("a catalog price in another currency than the order's → price_changed", () => {
    const lines = catalogLines.map((l) => ({ ...l, currency: 'USD' }));
    const result = reserved({ type: 'StockReserved', lines });
    assert.equal(result.snapshot.value, 'releasingStock');
    assert.equal(result.snapshot.context.cancelReason, 'price_changed');
  });
});

describe('order saga: the reply check knows each state’s command from the machine', () => {
  it('stepCommandOf(state) is the command the machine sends on entering it, for every step state', () => {
    const seen = new Map<SagaStateName, CommandName>();
    const note = (snapshot: SagaSnapshot, actions: SagaAction[]) => {
      for (const a of actions) if (a.type === 'sendCommand') seen.set(snapshot.value, a.params.command);
    };
    const started = start(input);
    note(started.snapshot, started.actions);
    // Forward steps, then every compensation: ScheduleShipping times out (→ cancellingShipping …).
    const paths: SagaEvent['type'][][] = [
      ['StockReserved', 'PaymentSucceeded'],
      [
        'StockReserved',
        'PaymentSucceeded',
        DEADLINE,
        DEADLINE,
        DEADLINE,
        'ShippingCancelled',
        'PaymentRefunded',
      ],
    ];
    for (const path of paths) {
      let snapshot = started.snapshot;
      for (const type of path) {
        const result = step(snapshot, eventOf(type));
        snapshot = result.snapshot;
        note(snapshot, result.actions);
      }
    }
    const stepStates = sagaStateNames.filter((s) => stepCommandOf(s) !== null);
    assert.deepEqual([...seen.keys()].sort(), [...stepStates].sort(), 'every step state was entered');
    for (const [state, command] of seen) assert.equal(stepCommandOf(state), command, state);
  });
});
