/**
 * Small sagas in the order saga's vocabulary (`sendCommand` and `armDeadline` entry actions), to show
 * that the compensation checks fail on a broken machine: two steps (reserve stock, take payment) and
 * their compensations, sound or with one deliberate defect.
 */
import { setup } from 'xstate';
import { orderSagaCompensations } from '../../orchestrator/saga/saga-compensations.ts';
import { settledTag } from '../../orchestrator/saga/saga-types.ts';

export type MiniSagaDefect =
  /** Sound. */
  | 'none'
  /** A declined payment cancels the order without releasing the reserved stock. */
  | 'payment-declined-keeps-stock'
  /** A payment that timed out releases the stock but never refunds the payment. */
  | 'payment-timeout-skips-refund'
  /** A new forward step (notify the customer) after the payment, with no compensation declared. */
  | 'step-without-compensation'
  /** A cancel while the payment is in flight releases the stock but never refunds the payment. */
  | 'cancel-skips-in-flight'
  /** A cancel after completion (a settled, not final, state) releases the stock without a refund. */
  | 'cancel-after-completion-skips-refund'
  /** A late success (a carrier's pickup) completes the order after its payment was refunded. */
  | 'completes-after-refund';

/** The declared compensations of the two-step saga: the order saga's first two rows. */
export const miniSagaCompensations = orderSagaCompensations.slice(0, 2);

const mini = setup({
  types: {} as { context: { attempt: number }; events: { type: string } },
  actions: {
    sendCommand: (_, _params: { command: string }) => {},
    armDeadline: (_, _params: { compensation: boolean }) => {},
  },
});

const step = (command: string, compensation: boolean) => [
  { type: 'sendCommand', params: { command } } as const,
  { type: 'armDeadline', params: { compensation } } as const,
];

export function miniSaga(defect: MiniSagaDefect) {
  const paid = defect === 'step-without-compensation' ? 'notifyingCustomer' : 'completed';
  return mini.createMachine({
    id: `miniSaga-${defect}`,
    context: { attempt: 1 },
    initial: 'reservingStock',
    states: {
      reservingStock: {
        entry: step('ReserveStock', false),
        on: {
          StockReserved: 'processingPayment',
          StockRejected: 'cancelled',
          DEADLINE_PASSED: 'releasingStock',
        },
      },
      processingPayment: {
        entry: step('ProcessPayment', false),
        on: {
          PaymentSucceeded: paid,
          PaymentFailed: defect === 'payment-declined-keeps-stock' ? 'cancelled' : 'releasingStock',
          DEADLINE_PASSED: defect === 'payment-timeout-skips-refund' ? 'releasingStock' : 'refundingPayment',
          ...(defect === 'cancel-skips-in-flight' ? { CANCEL: 'releasingStock' } : {}),
        },
      },
      ...(paid === 'notifyingCustomer'
        ? {
            notifyingCustomer: {
              entry: step('NotifyCustomer', false),
              on: { CustomerNotified: 'completed' },
            },
          }
        : {}),
      completed:
        defect === 'cancel-after-completion-skips-refund'
          ? { tags: [settledTag], on: { CANCEL: 'releasingStock' } }
          : { type: 'final' },
      refundingPayment: {
        entry: step('RefundPayment', true),
        on: { PaymentRefunded: 'releasingStock', DEADLINE_PASSED: 'failed' },
      },
      releasingStock: {
        entry: step('ReleaseStock', true),
        on: {
          StockReleased: 'cancelled',
          DEADLINE_PASSED: 'failed',
          ...(defect === 'completes-after-refund' ? { ShipmentPickedUp: 'completed' } : {}),
        },
      },
      cancelled: { type: 'final' },
      failed: {},
    },
  });
}
