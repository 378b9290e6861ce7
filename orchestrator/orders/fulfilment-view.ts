/**
 * An order's fulfilment as the HTTP API shows it, from its saga: SCHEDULED once shipping is
 * scheduled (state completed), PICKED_UP (shipped) and DELIVERED (delivered) with the carrier's
 * times; null in every other state (running, cancelled, failed). Pure.
 */
import type { Fulfilment, SagaStateName } from '../saga/saga-types.ts';

export const fulfilmentStatuses = ['SCHEDULED', 'PICKED_UP', 'DELIVERED'] as const;
export type FulfilmentStatus = (typeof fulfilmentStatuses)[number];

export interface FulfilmentView {
  status: FulfilmentStatus;
  pickedUpAt: string | null;
  deliveredAt: string | null;
}

/** The saga state of each fulfilment status (GET /orders?fulfilment= filters on it). */
export const stateOfFulfilment: Readonly<Record<FulfilmentStatus, SagaStateName>> = {
  SCHEDULED: 'completed',
  PICKED_UP: 'shipped',
  DELIVERED: 'delivered',
};

export function fulfilmentView(
  state: string,
  recorded: Fulfilment | null | undefined,
): FulfilmentView | null {
  switch (state) {
    case 'completed':
      return { status: 'SCHEDULED', pickedUpAt: null, deliveredAt: null };
    case 'shipped':
      return { status: 'PICKED_UP', pickedUpAt: recorded?.pickedUpAt ?? null, deliveredAt: null };
    case 'delivered':
      return {
        status: 'DELIVERED',
        pickedUpAt: recorded?.pickedUpAt ?? null,
        deliveredAt: recorded?.deliveredAt ?? null,
      };
    default:
      return null;
  }
}
