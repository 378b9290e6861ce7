/**
 * Runs of the order saga machine for its unit specs: an order input with its catalog prices, the
 * actions each step is expected to ask for, and `run` (start, then apply events in order).
 */
import { type SagaSnapshot, start, step } from '../../orchestrator/saga/order-saga.machine.ts';
import type { CancelReason, CommandName, SagaAction, SagaEvent } from '../../orchestrator/saga/saga-types.ts';

export type EventType = SagaEvent['type'];

/** Two lines of SKU-A (one with an expected price) and one of SKU-B: 2 × 1999 + 1 × 1999 + 3 × 500. */
export const input = {
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
export const catalogLines = [
  { sku: 'SKU-A', unitPrice: 1999, currency: 'EUR' },
  { sku: 'SKU-B', unitPrice: 500, currency: 'EUR' },
];
export const catalog = { total: 7497, unitPrices: { 'SKU-A': 1999, 'SKU-B': 500 } };

export const pickedUpAt = '2026-12-07T10:00:00.000Z';
export const deliveredAt = '2026-12-07T10:00:30.000Z';

/**
 * The event of a type: StockReserved with the catalog prices the customer expects; the carrier's
 * events by DHL at `pickedUpAt` and `deliveredAt`.
 */
export function eventOf(type: EventType): SagaEvent {
  switch (type) {
    case 'StockReserved':
      return { type, lines: catalogLines };
    case 'ShipmentPickedUp':
      return { type, carrier: 'DHL', pickedUpAt };
    case 'ShipmentDelivered':
      return { type, carrier: 'DHL', pickedUpAt, deliveredAt };
    case 'ShippingCancelled':
      return { type, cancelled: true, parcel: null };
    default:
      return { type } as SagaEvent;
  }
}

export const send = (command: CommandName, attempt = 1, round = 0): SagaAction => ({
  type: 'sendCommand',
  params: { command, attempt, round },
});
export const arm = (command: CommandName, compensation: boolean, attempt = 1): SagaAction => ({
  type: 'armDeadline',
  params: { command, attempt, compensation },
});
/** The actions of entering (or re-entering) a step. */
export const enter = (
  command: CommandName,
  { compensation = false, attempt = 1, round = 0 } = {},
): SagaAction[] => [send(command, attempt, round), arm(command, compensation, attempt)];
export const disarm: SagaAction = { type: 'disarmDeadline' };
export const cancelledWith = (reason: CancelReason): SagaAction[] => [
  disarm,
  { type: 'publishOrderEvent', params: { event: 'OrderCancelled', reason } },
];

/** Starts a saga and applies the events in order; returns the last snapshot and every step's outcome. */
export function run(events: EventType[], from: SagaSnapshot = start(input).snapshot) {
  let snapshot = from;
  const steps = events.map((type) => {
    const result = step(snapshot, eventOf(type));
    snapshot = result.snapshot;
    return result;
  });
  return { snapshot, steps, last: steps.at(-1) };
}

/** Commands sent by a run, e.g. `ReserveStock#2/r0` (attempt 2, round 0). */
export const commandsSent = (steps: { actions: SagaAction[] }[]) =>
  steps.flatMap((s) =>
    s.actions.flatMap((a) =>
      a.type === 'sendCommand' ? [`${a.params.command}#${a.params.attempt}/r${a.params.round}`] : [],
    ),
  );

export const DEADLINE: EventType = 'DEADLINE_PASSED';
