/** The order saga's transitions on the carrier's events (order-saga.machine.ts uses them). */
import type { Fulfilment, SagaEvent } from './saga-types.ts';

/** The fulfilment a carrier event records. */
export const fulfilmentParams = ({ event }: { event: SagaEvent }): Fulfilment => {
  switch (event.type) {
    case 'ShipmentPickedUp':
      return { carrier: event.carrier, pickedUpAt: event.pickedUpAt, deliveredAt: null };
    case 'ShipmentDelivered':
      return { carrier: event.carrier, pickedUpAt: event.pickedUpAt, deliveredAt: event.deliveredAt };
    default:
      throw new Error(`order saga: ${event.type} is not a carrier event`);
  }
};

/** The carrier picked the parcel up: the order is shipped (from completed, or from a cancel it outran). */
export const pickedUp = {
  target: 'shipped',
  actions: { type: 'recordFulfilment', params: fulfilmentParams },
} as const;
