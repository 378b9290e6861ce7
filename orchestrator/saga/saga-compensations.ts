/**
 * Every forward step of the order saga and the compensation that undoes it: the one place that says
 * so. The machine (order-saga.machine.ts) must agree: `compensationProblems` checks this table
 * against the machine's graph, and the path tests check every path the machine allows against it.
 * A forward step added to the machine without a row here fails those tests.
 */
import type { ReplyType } from './reply-check.ts';
import type { CommandName, SagaStateName } from './saga-types.ts';

/** A forward step and its compensation, by state, command and reply names. */
export interface StepCompensation<State extends string = string, Name extends string = string> {
  /** The forward step's state. */
  step: State;
  /** The command it sends. */
  command: Name;
  /** Replies that say the step took effect: it must be undone if the saga is cancelled later. */
  tookEffect: readonly Name[];
  /**
   * Replies that say it did nothing: nothing to undo. Leaving the step any other way (its deadline)
   * leaves its effect unknown, so it is undone as well (every compensation is idempotent).
   */
  didNothing: readonly Name[];
  compensation: {
    /** The state that undoes the step. */
    state: State;
    /** The command it sends. */
    command: Name;
    /** The reply that says the step is undone. */
    done: Name;
    /**
     * Where that reply leads instead when it says the undo came too late and the step's effect stands
     * (final states; the saga gives up compensating, sound only while nothing was undone yet).
     */
    tooLateInto?: readonly State[];
  };
}

/** The order saga's forward steps in the order they run, each with its compensation. */
export const orderSagaCompensations = [
  {
    step: 'reservingStock',
    command: 'ReserveStock',
    tookEffect: ['StockReserved'],
    didNothing: ['StockRejected'],
    compensation: { state: 'releasingStock', command: 'ReleaseStock', done: 'StockReleased' },
  },
  {
    step: 'processingPayment',
    command: 'ProcessPayment',
    tookEffect: ['PaymentSucceeded'],
    didNothing: ['PaymentFailed'],
    compensation: { state: 'refundingPayment', command: 'RefundPayment', done: 'PaymentRefunded' },
  },
  {
    step: 'schedulingShipping',
    command: 'ScheduleShipping',
    tookEffect: ['ShippingScheduled'],
    didNothing: ['ShippingFailed'],
    compensation: {
      state: 'cancellingShipping',
      command: 'CancelShipping',
      done: 'ShippingCancelled',
      // The carrier picked the parcel up before CancelShipping reached shipping.
      tooLateInto: ['shipped', 'delivered'],
    },
  },
] as const satisfies readonly StepCompensation<SagaStateName, CommandName | ReplyType>[];
