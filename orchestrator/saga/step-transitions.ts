/**
 * The order saga machine's recurring transitions (order-saga.machine.ts uses them): a step's entry,
 * its deadline (forward or compensation), a cancel into a compensation, an operator's retry.
 * Plain data, named actions and guards of the machine's setup.
 */
import type { CommandName, SagaContext, SagaStateName } from './saga-types.ts';

type Args = { context: SagaContext };

/** Entry of every step state: send the command, then arm its deadline. */
export const stepEntry = (command: CommandName, compensation: boolean) =>
  [
    {
      type: 'sendCommand',
      params: ({ context }: Args) => ({ command, attempt: context.attempt, round: context.round }),
    },
    {
      type: 'armDeadline',
      params: ({ context }: Args) => ({ command, attempt: context.attempt, compensation }),
    },
  ] as const;

/** A forward step's deadline: re-send while attempts are left, then compensate with reason `timeout`. */
export const forwardDeadline = (self: SagaStateName, compensation: SagaStateName) => [
  { guard: 'forwardAttemptsLeft', target: self, reenter: true, actions: 'resend' } as const,
  { target: compensation, actions: { type: 'compensate', params: { reason: 'timeout' } } } as const,
];

/** A compensation's deadline: re-send while attempts are left, then wait for an operator in `failed`. */
export const compensationDeadline = (self: SagaStateName, step: CommandName) => [
  { guard: 'compensationAttemptsLeft', target: self, reenter: true, actions: 'resend' } as const,
  { target: 'failed', actions: { type: 'recordFailure', params: { step, state: self } } } as const,
];

/**
 * A customer's or operator's cancel: undo what has been done so far, starting with the step in
 * state (its command may be in flight and take effect yet; every compensation is idempotent and a
 * participant answers one of something that never happened with its success reply).
 */
export const cancelInto = (compensation: SagaStateName) =>
  ({
    target: compensation,
    actions: { type: 'compensate', params: { reason: 'customer_cancelled' } },
  }) as const;

export const retryInto = (state: SagaStateName) =>
  ({ guard: { type: 'failedIn', params: { state } }, target: state, actions: 'startRound' }) as const;
