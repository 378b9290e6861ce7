/**
 * The order saga as a pure XState v5 machine: (snapshot, event) → (next snapshot, actions).
 *
 * No invoke, no delays, no I/O. The named actions below are never executed by XState: `start` and
 * `step` return them as plain data (`SagaAction`) and the runner performs them (outbox rows,
 * durable deadlines) in the same transaction that stores the new snapshot.
 */
import { assign, type ExecutableActionsFrom, type SnapshotFrom, setup } from 'xstate';
import { priceOrder } from './catalog-pricing.ts';
import {
  type CancelAnswerParams,
  fulfilmentParams,
  noted,
  pickedUp,
  shippingAnswer,
} from './fulfilment-transitions.ts';
import { isTerminal, orderStatusOf } from './order-status.ts';
import { pureTransitionsOf } from './pure-transitions.ts';
import {
  type ArmDeadlineParams,
  type CancelReason,
  type CatalogLine,
  type CommandName,
  type Fulfilment,
  type OrderLifecycleEvent,
  type OrderPricing,
  type PersistedSaga,
  type SagaAction,
  type SagaContext,
  type SagaEvent,
  type SagaInput,
  type SagaStateName,
  type SendCommandParams,
  sagaStateNames,
  settledTag,
} from './saga-types.ts';
import {
  cancelInto,
  compensationDeadline,
  forwardDeadline,
  retryInto,
  stepEntry,
} from './step-transitions.ts';

/** Data the catalog-price guard and action decide on: the order's pricing and StockReserved's lines. */
type PricingParams = { pricing: OrderPricing; lines: readonly CatalogLine[] };

const saga = setup({
  types: {} as { context: SagaContext; events: SagaEvent; input: SagaInput },
  actions: {
    // Performed by the runner, never by XState.
    sendCommand: (_, _params: SendCommandParams) => {},
    armDeadline: (_, _params: ArmDeadlineParams) => {},
    disarmDeadline: () => {},
    publishOrderEvent: (_, _params: OrderLifecycleEvent) => {},
    // Context updates, applied into the snapshot by XState.
    nextStep: assign({ attempt: 1 }),
    resend: assign({ attempt: ({ context }) => context.attempt + 1 }),
    compensate: assign((_, params: { reason: CancelReason }) => ({
      cancelReason: params.reason,
      attempt: 1,
    })),
    recordFailure: assign(({ context }, params: { step: CommandName; state: SagaStateName }) => ({
      failure: { ...params, reason: `no reply to ${params.step} after ${context.attempt} attempts` },
    })),
    startRound: assign(({ context }) => ({ round: context.round + 1, attempt: 1, failure: null })),
    recordCatalogPrices: assign((_, params: PricingParams) => ({
      catalog: priceOrder(params.pricing, params.lines).catalog,
    })),
    /** The carrier's event: where the parcel is. A pickup ends any cancel (it is too late for one). */
    recordFulfilment: assign((_, params: Fulfilment) => ({ fulfilment: params, cancelReason: null })),
    /** Where the parcel is, noted while a cancel waits for shipping's answer (which decides). */
    noteFulfilment: assign((_, params: Fulfilment) => ({ fulfilment: params })),
  },
  guards: {
    forwardAttemptsLeft: ({ context }) => context.attempt < context.retryPolicy.forwardAttempts,
    compensationAttemptsLeft: ({ context }) => context.attempt < context.retryPolicy.compensationAttempts,
    failedIn: ({ context }, params: { state: SagaStateName }) => context.failure?.state === params.state,
    /** Every line has a catalog price in the order's currency, equal to the customer's expected one if given. */
    catalogPricesAccepted: (_, params: PricingParams) =>
      priceOrder(params.pricing, params.lines).kind === 'accepted',
    /** Shipping did not cancel because the carrier had the parcel: too late for the cancel. */
    parcelPickedUp: (_, params: CancelAnswerParams) => !params.cancelled && params.parcel !== null,
    /** The same, and the parcel is delivered already. */
    parcelDelivered: (_, params: CancelAnswerParams) =>
      !params.cancelled && params.parcel !== null && params.parcel.deliveredAt !== null,
  },
});

const pricingParams = ({
  context,
  event,
}: {
  context: SagaContext;
  event: Extract<SagaEvent, { type: 'StockReserved' }>;
}): PricingParams => ({ pricing: context.pricing, lines: event.lines });

function required<T>(value: T | null, what: string): T {
  if (value === null) throw new Error(`order saga invariant broken: ${what} is not set`);
  return value;
}

export const orderSagaMachine = saga.createMachine({
  id: 'orderSaga',
  // An actor created without input computes an initial snapshot without input: the one inert actor of
  // pure-transitions.ts, and xstate's own helpers (used by the tests) one per call. Reading
  // `input.orderId` there would throw (and capture a stack trace); that snapshot is discarded.
  context: ({ input }: { input: SagaInput | undefined }) => ({
    orderId: input?.orderId ?? '',
    retryPolicy: input?.retryPolicy ?? { forwardAttempts: 1, compensationAttempts: 1 },
    attempt: 1,
    round: 0,
    cancelReason: null,
    failure: null,
    pricing: input?.pricing ?? { currency: '', lines: [] },
    catalog: null,
  }),
  entry: { type: 'publishOrderEvent', params: { event: 'OrderPlaced' } },
  initial: 'reservingStock',
  states: {
    reservingStock: {
      entry: stepEntry('ReserveStock', false),
      on: {
        // Charged only at the catalog's prices, and only if they are the ones the customer expected.
        StockReserved: [
          {
            guard: { type: 'catalogPricesAccepted', params: pricingParams },
            target: 'processingPayment',
            actions: [{ type: 'recordCatalogPrices', params: pricingParams }, 'nextStep'],
          },
          {
            target: 'releasingStock',
            actions: [
              { type: 'recordCatalogPrices', params: pricingParams },
              { type: 'compensate', params: { reason: 'price_changed' } },
            ],
          },
        ],
        StockRejected: {
          target: 'cancelled',
          actions: { type: 'compensate', params: { reason: 'out_of_stock' } },
        },
        // Released even after a timeout: the reservation may have been applied late (release is idempotent).
        DEADLINE_PASSED: forwardDeadline('reservingStock', 'releasingStock'),
        CANCEL: cancelInto('releasingStock'),
      },
    },
    processingPayment: {
      entry: stepEntry('ProcessPayment', false),
      on: {
        PaymentSucceeded: { target: 'schedulingShipping', actions: 'nextStep' },
        PaymentFailed: {
          target: 'releasingStock',
          actions: { type: 'compensate', params: { reason: 'payment_declined' } },
        },
        DEADLINE_PASSED: forwardDeadline('processingPayment', 'refundingPayment'),
        CANCEL: cancelInto('refundingPayment'),
      },
    },
    schedulingShipping: {
      entry: stepEntry('ScheduleShipping', false),
      on: {
        ShippingScheduled: { target: 'completed' },
        ShippingFailed: {
          target: 'refundingPayment',
          actions: { type: 'compensate', params: { reason: 'shipping_failed' } },
        },
        DEADLINE_PASSED: forwardDeadline('schedulingShipping', 'cancellingShipping'),
        CANCEL: cancelInto('cancellingShipping'),
      },
    },
    // Shipping scheduled: the saga rests here (tagged `settled`: the graph counts it as an end), but is
    // not final, as a cancel still undoes all three steps (no pickup exists yet).
    completed: {
      tags: [settledTag],
      entry: ['disarmDeadline', { type: 'publishOrderEvent', params: { event: 'OrderCompleted' } }],
      on: { CANCEL: cancelInto('cancellingShipping'), ShipmentPickedUp: pickedUp },
    },
    // The carrier has the parcel: a cancel is refused from here on (no CANCEL). Settled, not final:
    // the delivery is still to come.
    shipped: {
      tags: [settledTag],
      entry: ['disarmDeadline', { type: 'publishOrderEvent', params: { event: 'OrderShipped' } }],
      on: {
        ShipmentDelivered: {
          target: 'delivered',
          actions: { type: 'recordFulfilment', params: fulfilmentParams },
        },
      },
    },
    delivered: {
      type: 'final',
      entry: { type: 'publishOrderEvent', params: { event: 'OrderDelivered' } },
    },
    // Shipping's answer decides whether the cancel goes on. If its carrier had the parcel first, the
    // cancel lost the race: shipping answers cancelled=false with where the parcel is, and the order
    // is shipped (or delivered) with nothing undone. Carrier events meanwhile are only noted, so every
    // move out of here follows the delivery of CancelShipping, and the cancel's lifecycle event,
    // written with it (perhaps by another instance), precedes the next on order-events.
    cancellingShipping: {
      entry: stepEntry('CancelShipping', true),
      on: {
        ShippingCancelled: shippingAnswer,
        ShipmentPickedUp: noted,
        ShipmentDelivered: noted,
        DEADLINE_PASSED: compensationDeadline('cancellingShipping', 'CancelShipping'),
      },
    },
    refundingPayment: {
      entry: stepEntry('RefundPayment', true),
      on: {
        PaymentRefunded: { target: 'releasingStock', actions: 'nextStep' },
        DEADLINE_PASSED: compensationDeadline('refundingPayment', 'RefundPayment'),
      },
    },
    releasingStock: {
      entry: stepEntry('ReleaseStock', true),
      on: {
        StockReleased: { target: 'cancelled' },
        DEADLINE_PASSED: compensationDeadline('releasingStock', 'ReleaseStock'),
      },
    },
    cancelled: {
      type: 'final',
      entry: [
        'disarmDeadline',
        {
          type: 'publishOrderEvent',
          params: ({ context }) => ({
            event: 'OrderCancelled',
            reason: required(context.cancelReason, 'cancelReason'),
          }),
        },
      ],
    },
    // Not final: a compensation could not be completed; an operator's RETRY resumes it.
    failed: {
      entry: [
        'disarmDeadline',
        {
          type: 'publishOrderEvent',
          params: ({ context }) => {
            const failure = required(context.failure, 'failure');
            return { event: 'OrderFailed', pendingStep: failure.step, reason: failure.reason };
          },
        },
      ],
      on: {
        RETRY: [retryInto('cancellingShipping'), retryInto('refundingPayment'), retryInto('releasingStock')],
        // CancelShipping never got through, and the carrier picked the parcel up meanwhile.
        ShipmentPickedUp: {
          ...pickedUp,
          guard: { type: 'failedIn', params: { state: 'cancellingShipping' } },
        },
      },
    },
  },
});

export type SagaSnapshot = SnapshotFrom<typeof orderSagaMachine>;

/** The public status of a saga state (order-status.ts), here as well for the machine's users. */
export { isTerminal, orderStatusOf };

// Compile-time check: the machine's states are exactly the public state names.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const statesMatch: Same<SagaSnapshot['value'], SagaStateName> = true;
void statesMatch;

/** Maps XState's executable actions to the runner's plain-data actions (context updates are already applied). */
function toSagaActions(actions: ExecutableActionsFrom<typeof orderSagaMachine>[]): SagaAction[] {
  return actions.flatMap((action): SagaAction[] => {
    switch (action.type) {
      case 'sendCommand':
        return [{ type: 'sendCommand', params: action.params as SendCommandParams }];
      case 'armDeadline':
        return [{ type: 'armDeadline', params: action.params as ArmDeadlineParams }];
      case 'disarmDeadline':
        return [{ type: 'disarmDeadline' }];
      case 'publishOrderEvent':
        return [{ type: 'publishOrderEvent', params: action.params as OrderLifecycleEvent }];
      default:
        throw new Error(`order saga: unexpected action ${action.type}`);
    }
  });
}

/** xstate's `initialTransition()` / `transition()` without a throw-away actor per call (see the module). */
const pure = pureTransitionsOf(orderSagaMachine);

/** A new saga: its first snapshot and the actions of entering it. */
export type SagaStart = { snapshot: SagaSnapshot; actions: SagaAction[] };
/** One event applied: the next snapshot (the same one when ignored) and the actions to perform. */
export type SagaStep = SagaStart & { accepted: boolean };

export function start(input: SagaInput): SagaStart {
  const [snapshot, actions] = pure.initialTransition(input);
  return { snapshot, actions: toSagaActions(actions) };
}

/** Applies one event. An event the current state does not expect is ignored: same snapshot, no actions. */
export function step(snapshot: SagaSnapshot, event: SagaEvent): SagaStep {
  // One resolution of the event: XState returns the very same snapshot when no transition is enabled
  // (unknown event, or every guard false), so there is no need to ask `can()` first.
  const [next, actions] = pure.transition(snapshot, event);
  if (next === snapshot) return { snapshot, actions: [], accepted: false };
  return { snapshot: next, actions: toSagaActions(actions), accepted: true };
}

export function canAccept(snapshot: SagaSnapshot, event: SagaEvent): boolean {
  return snapshot.can(event);
}

export function stateOf(snapshot: SagaSnapshot): SagaStateName {
  return snapshot.value;
}

export function toPersisted(snapshot: SagaSnapshot): PersistedSaga {
  return { value: snapshot.value, context: snapshot.context };
}

export function restore(persisted: PersistedSaga): SagaSnapshot {
  if (!sagaStateNames.includes(persisted.value)) {
    throw new Error(`order saga: unknown persisted state ${JSON.stringify(persisted.value)}`);
  }
  return orderSagaMachine.resolveState({ value: persisted.value, context: persisted.context });
}
