/** The order saga's transitions on where the parcel is (order-saga.machine.ts uses them). */
import type { Fulfilment, SagaContext, SagaEvent } from './saga-types.ts';

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

/** Where an event says the parcel is: a carrier event, or shipping's too-late answer to a cancel. */
function parcelOf(event: SagaEvent): Fulfilment | null {
  switch (event.type) {
    case 'ShipmentPickedUp':
    case 'ShipmentDelivered':
      return fulfilmentParams({ event });
    case 'ShippingCancelled':
      // An answer recorded before it carried a parcel (a fixture of version 1) has none.
      return event.parcel ?? null;
    default:
      return null;
  }
}

/** The further along of two records of the parcel: delivered, then picked up, then none. */
export function furthest(known: Fulfilment | null | undefined, told: Fulfilment | null): Fulfilment | null {
  if (known === null || known === undefined) return told;
  if (told === null) return known;
  return told.deliveredAt === null && known.deliveredAt !== null ? known : told;
}

type Args = { context: SagaContext; event: SagaEvent };

/** The parcel as known after this event (the saga's record, or what the event says if further). */
export const knownParcel = ({ context, event }: Args): Fulfilment | null =>
  furthest(context.fulfilment, parcelOf(event));

/** What the too-late guards decide on: the cancel's answer and where the parcel is. */
export type CancelAnswerParams = { cancelled: boolean; parcel: Fulfilment | null };

export const cancelAnswerParams = ({ context, event }: Args): CancelAnswerParams => ({
  cancelled: event.type === 'ShippingCancelled' && event.cancelled,
  parcel: knownParcel({ context, event }),
});

/** The parcel as known after an event that says where it is (a carrier event, a too-late answer). */
export const parcelParams = (args: Args): Fulfilment => {
  const parcel = knownParcel(args);
  if (parcel === null) throw new Error(`order saga: ${args.event.type} says nothing of the parcel`);
  return parcel;
};

/** The carrier picked the parcel up: the order is shipped (from completed, or a failed cancel). */
export const pickedUp = {
  target: 'shipped',
  actions: { type: 'recordFulfilment', params: parcelParams },
} as const;

/**
 * cancellingShipping on shipping's answer to CancelShipping: too late (its carrier had the parcel)
 * → delivered or shipped, the cancel given up; otherwise the refund comes next.
 */
export const shippingAnswer = [
  {
    guard: { type: 'parcelDelivered', params: cancelAnswerParams },
    target: 'delivered',
    actions: [
      { type: 'recordFulfilment', params: parcelParams },
      'disarmDeadline',
      { type: 'publishOrderEvent', params: { event: 'OrderShipped' } },
    ],
  },
  {
    guard: { type: 'parcelPickedUp', params: cancelAnswerParams },
    target: 'shipped',
    actions: { type: 'recordFulfilment', params: parcelParams },
  },
  { target: 'refundingPayment', actions: 'nextStep' },
] as const;

/** cancellingShipping on a carrier event: noted, no move (shipping's answer decides). */
export const noted = {
  target: 'cancellingShipping',
  actions: { type: 'noteFulfilment', params: parcelParams },
} as const;
