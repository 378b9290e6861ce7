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

/** One record of an order on order-events: its type and timestamp. */
export interface OrderRecordTime {
  type: string;
  atEpochMs: number;
}

/**
 * The stage durations (ms) of a saga that completed on the happy path, from its lifecycle records seen
 * before OrderCompleted (in any order: OrderPlaced and the first two OrderStatusChanged), or null when
 * they do not show the steps (a cancelled or failed saga, or events the bench did not see).
 */
export function stageDurations(
  sentAtEpochMs: number,
  lifecycle: readonly OrderRecordTime[],
  completedAtEpochMs: number,
  seenAtEpochMs: number,
): Record<SagaStage, number> | null {
  const placed = lifecycle.find((r) => r.type === 'OrderPlaced')?.atEpochMs;
  const [afterStock, afterPayment] = lifecycle
    .filter((r) => r.type === 'OrderStatusChanged')
    .map((r) => r.atEpochMs)
    .sort((a, b) => a - b);
  if (placed === undefined || afterStock === undefined || afterPayment === undefined) return null;
  return {
    accept: placed - sentAtEpochMs,
    inventory: afterStock - placed,
    payment: afterPayment - afterStock,
    shipping: completedAtEpochMs - afterPayment,
    observe: seenAtEpochMs - completedAtEpochMs,
  };
}
