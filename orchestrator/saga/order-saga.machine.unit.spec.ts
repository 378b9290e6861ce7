/** The order saga machine along its paths: start, happy path, compensations, timeouts and operator retries. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cancelledWith,
  commandsSent,
  DEADLINE,
  disarm,
  type EventType,
  enter,
  eventOf,
  input,
  run,
} from '../../test/support/order-saga-runs.ts';
import { orderStatusOf, start, step } from './order-saga.machine.ts';
import type { CancelReason, CommandName, SagaAction, SagaStateName } from './saga-types.ts';

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
