/** The public status of each saga state. */
import type { OrderStatus, SagaStateName } from './saga-types.ts';

export function orderStatusOf(state: SagaStateName): OrderStatus {
  switch (state) {
    case 'completed':
    case 'shipped':
    case 'delivered':
      return 'COMPLETED';
    case 'cancelled':
      return 'CANCELLED';
    case 'failed':
      return 'FAILED';
    case 'reservingStock':
    case 'processingPayment':
    case 'schedulingShipping':
    case 'cancellingShipping':
    case 'refundingPayment':
    case 'releasingStock':
      return 'PENDING';
    default: {
      const unexpected: never = state;
      throw new Error(`order saga: unknown state ${String(unexpected)}`);
    }
  }
}

/**
 * True when no command is in flight (COMPLETED, CANCELLED or FAILED); `failed` can still be resumed
 * by RETRY, `completed` by CANCEL, and `completed` and `shipped` take the carrier's events.
 */
export function isTerminal(state: SagaStateName): boolean {
  return orderStatusOf(state) !== 'PENDING';
}
