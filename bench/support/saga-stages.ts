/**
 * Where a completed saga's time goes, from the lifecycle events the bench reads on `order-events`
 * anyway. Each event's record timestamp is when the orchestrator's outbox relay produced it, so the
 * gaps between them are the saga's hops (same machine clock as the bench's POSTs):
 *
 * - accept: POST (scheduled time) → OrderPlaced produced: the HTTP request, the creation commit and
 *   the relay's publish (ReserveStock goes out with OrderPlaced);
 * - inventory: OrderPlaced → the first OrderStatusChanged: ReserveStock through Kafka to the inventory
 *   service, its transaction and reply, the orchestrator's transaction on StockReserved, the publish;
 * - payment: the first → the second OrderStatusChanged (ProcessPayment → PaymentSucceeded);
 * - shipping: the second OrderStatusChanged → OrderCompleted (ScheduleShipping → ShippingScheduled);
 * - observe: OrderCompleted produced → seen by the bench (its own fetch).
 */

export const sagaStages = ['accept', 'inventory', 'payment', 'shipping', 'observe'] as const;
export type SagaStage = (typeof sagaStages)[number];

/** Epoch ms at which the relay produced an order's lifecycle events before its terminal one. */
export interface LifecycleTimes {
  /** OrderPlaced. */
  placedAtEpochMs: number | null;
  /** Every OrderStatusChanged seen before the terminal event, in partition order. */
  statusChangedAtEpochMs: number[];
}

/**
 * The stage durations (ms) of a saga that completed on the happy path, or null when its events do not
 * show the three steps (a cancelled or failed saga, or events the bench did not see).
 */
export function stageDurations(
  sentAtEpochMs: number,
  lifecycle: LifecycleTimes,
  completedAtEpochMs: number,
  seenAtEpochMs: number,
): Record<SagaStage, number> | null {
  const placed = lifecycle.placedAtEpochMs;
  const [stockReserved, paymentSucceeded] = lifecycle.statusChangedAtEpochMs;
  if (placed === null || stockReserved === undefined || paymentSucceeded === undefined) return null;
  return {
    accept: placed - sentAtEpochMs,
    inventory: stockReserved - placed,
    payment: paymentSucceeded - stockReserved,
    shipping: completedAtEpochMs - paymentSucceeded,
    observe: seenAtEpochMs - completedAtEpochMs,
  };
}
