import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
import type {
  CancelReason,
  CommandName,
  OrderStatus,
  SagaAction,
  SagaEvent,
  SagaStateName,
} from './saga-types.ts';
import { sagaEventTypes, sagaStateNames } from './saga-types.ts';

type EventType = SagaEvent['type'];

/** Two lines of SKU-A (one with an expected price) and one of SKU-B: 2 × 1999 + 1 × 1999 + 3 × 500. */
const input = {
  orderId: 'order-1',
  retryPolicy: { forwardAttempts: 3, compensationAttempts: 2 },
  pricing: {
    currency: 'EUR',
    lines: [
      { sku: 'SKU-A', quantity: 2, expectedUnitPrice: 1999 },
      { sku: 'SKU-A', quantity: 1, expectedUnitPrice: null },
      { sku: 'SKU-B', quantity: 3, expectedUnitPrice: null },
    ],
  },
};
const catalogLines = [
  { sku: 'SKU-A', unitPrice: 1999, currency: 'EUR' },
  { sku: 'SKU-B', unitPrice: 500, currency: 'EUR' },
];
const catalog = { total: 7497, unitPrices: { 'SKU-A': 1999, 'SKU-B': 500 } };

/** The event of a type: StockReserved with the catalog prices the customer expects. */
const eventOf = (type: EventType): SagaEvent =>
  type === 'StockReserved' ? { type, lines: catalogLines } : ({ type } as SagaEvent);

const send = (command: CommandName, attempt = 1, round = 0): SagaAction => ({
  type: 'sendCommand',
  params: { command, attempt, round },
});
const arm = (command: CommandName, compensation: boolean, attempt = 1): SagaAction => ({
  type: 'armDeadline',
  params: { command, attempt, compensation },
});
/** The actions of entering (or re-entering) a step. */
const enter = (command: CommandName, { compensation = false, attempt = 1, round = 0 } = {}): SagaAction[] => [
  send(command, attempt, round),
  arm(command, compensation, attempt),
];
const disarm: SagaAction = { type: 'disarmDeadline' };
const cancelledWith = (reason: CancelReason): SagaAction[] => [
  disarm,
  { type: 'publishOrderEvent', params: { event: 'OrderCancelled', reason } },
];

/** Starts a saga and applies the events in order; returns the last snapshot and every step's outcome. */
function run(events: EventType[], from: SagaSnapshot = start(input).snapshot) {
  let snapshot = from;
  const steps = events.map((type) => {
    const result = step(snapshot, eventOf(type));
    snapshot = result.snapshot;
    return result;
  });
  return { snapshot, steps, last: steps.at(-1) };
}

/** Commands sent by a run, e.g. `ReserveStock#2/r0` (attempt 2, round 0). */
const commandsSent = (steps: { actions: SagaAction[] }[]) =>
  steps.flatMap((s) =>
    s.actions.flatMap((a) =>
      a.type === 'sendCommand' ? [`${a.params.command}#${a.params.attempt}/r${a.params.round}`] : [],
    ),
  );

const DEADLINE: EventType = 'DEADLINE_PASSED';

describe('order saga: start', () => {
  it('publishes OrderPlaced, sends ReserveStock and arms its deadline', () => {
    const { snapshot, actions } = start(input);
    assert.equal(snapshot.value, 'reservingStock');
    assert.deepEqual(actions, [
      { type: 'publishOrderEvent', params: { event: 'OrderPlaced' } },
      ...enter('ReserveStock'),
    ]);
    assert.deepEqual(snapshot.context, {
      ...input,
      attempt: 1,
      round: 0,
      cancelReason: null,
      failure: null,
      catalog: null,
    });
  });
});

describe('order saga: happy path', () => {
  const steps: [EventType, SagaStateName, SagaAction[]][] = [
    ['StockReserved', 'processingPayment', enter('ProcessPayment')],
    ['PaymentSucceeded', 'schedulingShipping', enter('ScheduleShipping')],
    [
      'ShippingScheduled',
      'completed',
      [disarm, { type: 'publishOrderEvent', params: { event: 'OrderCompleted' } }],
    ],
  ];
  steps.forEach(([event, state, actions], i) => {
    it(`${event} → ${state}`, () => {
      const given = run(steps.slice(0, i).map(([e]) => e)).snapshot;
      const result = step(given, eventOf(event));
      assert.equal(result.accepted, true);
      assert.equal(result.snapshot.value, state);
      assert.deepEqual(result.actions, actions);
    });
  });
  it('ends COMPLETED with no cancel reason', () => {
    const { snapshot } = run(steps.map(([e]) => e));
    assert.equal(orderStatusOf(snapshot.value), 'COMPLETED');
    assert.equal(snapshot.context.cancelReason, null);
  });
});

describe('order saga: a step fails → earlier steps compensated in reverse order', () => {
  const cases: {
    name: string;
    given: EventType[];
    failure: EventType;
    onFailure: SagaAction[];
    replies: EventType[];
    commands: string[];
    reason: CancelReason;
  }[] = [
    {
      name: 'out of stock: nothing to compensate, no payment attempted',
      given: [],
      failure: 'StockRejected',
      onFailure: cancelledWith('out_of_stock'),
      replies: [],
      commands: [],
      reason: 'out_of_stock',
    },
    {
      name: 'payment declined: stock released',
      given: ['StockReserved'],
      failure: 'PaymentFailed',
      onFailure: enter('ReleaseStock', { compensation: true }),
      replies: ['StockReleased'],
      commands: ['ProcessPayment#1/r0', 'ReleaseStock#1/r0'],
      reason: 'payment_declined',
    },
    {
      name: 'shipping failed: payment refunded, then stock released',
      given: ['StockReserved', 'PaymentSucceeded'],
      failure: 'ShippingFailed',
      onFailure: enter('RefundPayment', { compensation: true }),
      replies: ['PaymentRefunded', 'StockReleased'],
      commands: ['ProcessPayment#1/r0', 'ScheduleShipping#1/r0', 'RefundPayment#1/r0', 'ReleaseStock#1/r0'],
      reason: 'shipping_failed',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { snapshot, steps, last } = run([...c.given, c.failure, ...c.replies]);
      assert.deepEqual(steps[c.given.length]?.actions, c.onFailure);
      assert.deepEqual(commandsSent(steps), c.commands);
      assert.deepEqual(last?.actions, cancelledWith(c.reason));
      assert.equal(snapshot.value, 'cancelled');
      assert.equal(snapshot.context.cancelReason, c.reason);
      assert.equal(orderStatusOf(snapshot.value), 'CANCELLED');
    });
  }
});

describe('order saga: forward step timeouts', () => {
  const cases: {
    state: SagaStateName;
    command: CommandName;
    reach: EventType[];
    replies: EventType[];
    chain: CommandName[];
  }[] = [
    {
      state: 'reservingStock',
      command: 'ReserveStock',
      reach: [],
      replies: ['StockReleased'],
      chain: ['ReleaseStock'],
    },
    {
      state: 'processingPayment',
      command: 'ProcessPayment',
      reach: ['StockReserved'],
      replies: ['PaymentRefunded', 'StockReleased'],
      chain: ['RefundPayment', 'ReleaseStock'],
    },
    {
      state: 'schedulingShipping',
      command: 'ScheduleShipping',
      reach: ['StockReserved', 'PaymentSucceeded'],
      replies: ['ShippingCancelled', 'PaymentRefunded', 'StockReleased'],
      chain: ['CancelShipping', 'RefundPayment', 'ReleaseStock'],
    },
  ];
  for (const c of cases) {
    it(`${c.state}: re-sends ${c.command} (attempts 2..3, same round), then compensates ${c.chain.join(' → ')}`, () => {
      const given = run(c.reach).snapshot;
      assert.equal(given.value, c.state);

      const retries = run([DEADLINE, DEADLINE], given);
      assert.deepEqual(
        retries.steps.map((s) => s.actions),
        [enter(c.command, { attempt: 2 }), enter(c.command, { attempt: 3 })],
      );
      assert.equal(retries.snapshot.value, c.state);

      const giveUp = step(retries.snapshot, eventOf(DEADLINE));
      assert.deepEqual(giveUp.actions, enter(c.chain[0] as CommandName, { compensation: true }));
      assert.equal(giveUp.snapshot.context.cancelReason, 'timeout');

      const rest = run(c.replies, giveUp.snapshot);
      assert.deepEqual(
        commandsSent([giveUp, ...rest.steps]),
        c.chain.map((command) => `${command}#1/r0`),
      );
      assert.deepEqual(rest.last?.actions, cancelledWith('timeout'));
      assert.equal(orderStatusOf(rest.snapshot.value), 'CANCELLED');
    });
  }
});

describe('order saga: a reply after a re-send moves on; the next step starts again at attempt 1', () => {
  const cases: { given: EventType[]; reply: EventType; next: SagaStateName; expected: SagaAction[] }[] = [
    { given: [], reply: 'StockReserved', next: 'processingPayment', expected: enter('ProcessPayment') },
    {
      given: ['StockReserved'],
      reply: 'PaymentSucceeded',
      next: 'schedulingShipping',
      expected: enter('ScheduleShipping'),
    },
    {
      given: ['StockReserved', 'PaymentSucceeded', DEADLINE, DEADLINE, DEADLINE],
      reply: 'ShippingCancelled',
      next: 'refundingPayment',
      expected: enter('RefundPayment', { compensation: true }),
    },
    {
      given: ['StockReserved', 'PaymentSucceeded', 'ShippingFailed'],
      reply: 'PaymentRefunded',
      next: 'releasingStock',
      expected: enter('ReleaseStock', { compensation: true }),
    },
  ];
  for (const c of cases) {
    it(`${c.reply} at attempt 2 → ${c.next} at attempt 1`, () => {
      const resent = run([...c.given, DEADLINE]).snapshot;
      assert.equal(resent.context.attempt, 2);
      const result = step(resent, eventOf(c.reply));
      assert.equal(result.snapshot.value, c.next);
      assert.deepEqual(result.actions, c.expected);
    });
  }
});

describe('order saga: a compensation that never answers → failed, RETRY resumes it', () => {
  const cases: { state: SagaStateName; command: CommandName; reach: EventType[]; finish: EventType[] }[] = [
    {
      state: 'cancellingShipping',
      command: 'CancelShipping',
      reach: ['StockReserved', 'PaymentSucceeded', DEADLINE, DEADLINE, DEADLINE],
      finish: ['ShippingCancelled', 'PaymentRefunded', 'StockReleased'],
    },
    {
      state: 'refundingPayment',
      command: 'RefundPayment',
      reach: ['StockReserved', 'PaymentSucceeded', 'ShippingFailed'],
      finish: ['PaymentRefunded', 'StockReleased'],
    },
    {
      state: 'releasingStock',
      command: 'ReleaseStock',
      reach: ['StockReserved', 'PaymentFailed'],
      finish: ['StockReleased'],
    },
  ];
  for (const c of cases) {
    it(`${c.state}: ${c.command} re-sent once, then failed; RETRY re-sends it in round 1 and the saga cancels`, () => {
      const given = run(c.reach).snapshot;
      assert.equal(given.value, c.state);
      const reason = `no reply to ${c.command} after 2 attempts`;

      const timeouts = run([DEADLINE, DEADLINE], given);
      assert.deepEqual(
        timeouts.steps.map((s) => s.actions),
        [
          enter(c.command, { compensation: true, attempt: 2 }),
          [
            disarm,
            { type: 'publishOrderEvent', params: { event: 'OrderFailed', pendingStep: c.command, reason } },
          ],
        ],
      );
      const failed = timeouts.snapshot;
      assert.equal(failed.value, 'failed');
      assert.deepEqual(failed.context.failure, { step: c.command, state: c.state, reason });
      assert.equal(orderStatusOf(failed.value), 'FAILED');

      const retried = step(failed, eventOf('RETRY'));
      assert.equal(retried.snapshot.value, c.state);
      assert.deepEqual(retried.actions, enter(c.command, { compensation: true, round: 1 }));
      assert.deepEqual(
        { round: retried.snapshot.context.round, attempt: retried.snapshot.context.attempt },
        { round: 1, attempt: 1 },
      );
      assert.equal(retried.snapshot.context.failure, null);

      const done = run(c.finish, retried.snapshot);
      assert.equal(done.snapshot.value, 'cancelled');
      assert.equal(orderStatusOf(done.snapshot.value), 'CANCELLED');
      assert.deepEqual(done.last?.actions, cancelledWith(given.context.cancelReason as CancelReason));
    });
  }

  it('fails again after a RETRY and the next RETRY uses round 2', () => {
    const given = run(['StockReserved', 'PaymentFailed']).snapshot;
    const again = run([DEADLINE, DEADLINE, 'RETRY', DEADLINE, DEADLINE, 'RETRY'], given);
    assert.deepEqual(commandsSent(again.steps), [
      'ReleaseStock#2/r0',
      'ReleaseStock#1/r1',
      'ReleaseStock#2/r1',
      'ReleaseStock#1/r2',
    ]);
    assert.equal(again.snapshot.value, 'releasingStock');
    assert.equal(again.snapshot.context.round, 2);
  });
});

describe('order saga: unexpected events are ignored (no change, no actions)', () => {
  const cases: { name: string; given: EventType[]; event: EventType }[] = [
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
    const histories: EventType[][] = [
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
  const path: EventType[] = [
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
    const paths: EventType[][] = [
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
