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

/** One record of an order on order-events or a participant's reply topic: its type and timestamp. */
export interface OrderRecordTime {
  type: string;
  atEpochMs: number;
}

/**
 * When the saga was placed and when its first two steps ended: OrderPlaced and the first two
 * OrderStatusChanged (one partition keeps an order's lifecycle events in order; the records may come
 * in any order from several topics). Null when OrderPlaced or one of the `statusChanges` expected is
 * missing: the happy path has three (payment, shipping, completed), of which the bench sees at least
 * two before OrderCompleted.
 */
function stepEnds(
  records: readonly OrderRecordTime[],
  statusChanges: 2 | 3,
): { placed: number; afterStock: number; afterPayment: number } | null {
  const placed = records.find((r) => r.type === 'OrderPlaced')?.atEpochMs;
  const changes = records
    .filter((r) => r.type === 'OrderStatusChanged')
    .map((r) => r.atEpochMs)
    .sort((a, b) => a - b);
  const [afterStock, afterPayment] = changes;
  if (
    placed === undefined ||
    changes.length < statusChanges ||
    afterStock === undefined ||
    afterPayment === undefined
  )
    return null;
  return { placed, afterStock, afterPayment };
}

/**
 * The stage durations (ms) of a saga that completed on the happy path, from its lifecycle records seen
 * before OrderCompleted, or null when they do not show the steps (a cancelled or failed saga, or
 * events the bench did not see).
 */
export function stageDurations(
  sentAtEpochMs: number,
  lifecycle: readonly OrderRecordTime[],
  completedAtEpochMs: number,
  seenAtEpochMs: number,
): Record<SagaStage, number> | null {
  const ends = stepEnds(lifecycle, 2);
  if (ends === null) return null;
  return {
    accept: ends.placed - sentAtEpochMs,
    inventory: ends.afterStock - ends.placed,
    payment: ends.afterPayment - ends.afterStock,
    shipping: completedAtEpochMs - ends.afterPayment,
    observe: seenAtEpochMs - completedAtEpochMs,
  };
}

/**
 * The two legs of each step, for `bench/saga-legs.ts` (which reads a kept run's topics afterwards):
 * `<step>Participant` from the command's publish (the lifecycle event published with it) to the
 * participant's reply being produced — Kafka, the participant's transaction, its relay — and
 * `<step>Orchestrator` from that reply to the orchestrator's next lifecycle event — Kafka, the
 * orchestrator's transaction, its relay.
 */
export const sagaLegs = [
  'inventoryParticipant',
  'inventoryOrchestrator',
  'paymentParticipant',
  'paymentOrchestrator',
  'shippingParticipant',
  'shippingOrchestrator',
] as const;
export type SagaLeg = (typeof sagaLegs)[number];

/**
 * The legs of a saga completed on the happy path, from all its records, in any order (as read from
 * several topics), or null when one of them is missing.
 */
export function legDurations(records: readonly OrderRecordTime[]): Record<SagaLeg, number> | null {
  const ends = stepEnds(records, 3);
  const t = firstTimes(records, replyAndCompletionTypes);
  if (ends === null || t === null) return null;
  return {
    inventoryParticipant: t.StockReserved - ends.placed,
    inventoryOrchestrator: ends.afterStock - t.StockReserved,
    paymentParticipant: t.PaymentSucceeded - ends.afterStock,
    paymentOrchestrator: ends.afterPayment - t.PaymentSucceeded,
    shippingParticipant: t.ShippingScheduled - ends.afterPayment,
    shippingOrchestrator: t.OrderCompleted - t.ShippingScheduled,
  };
}

const replyAndCompletionTypes = [
  'StockReserved',
  'PaymentSucceeded',
  'ShippingScheduled',
  'OrderCompleted',
] as const;

/** The time of the first record of each type, or null when a type is missing. */
function firstTimes<T extends string>(
  records: readonly OrderRecordTime[],
  types: readonly T[],
): Record<T, number> | null {
  const times = {} as Record<T, number>;
  for (const type of types) {
    const record = records.find((r) => r.type === type);
    if (record === undefined) return null;
    times[type] = record.atEpochMs;
  }
  return times;
}

/**
 * The orchestrator leg of each step in two, where the run's database still holds the saga history:
 * `<step>ToApply` from the reply being produced to the orchestrator applying it (the history row's
 * time: Kafka, the consumer's fetch, waiting for one of the transactions in flight, decoding), and
 * `<step>ToPublish` from there to the next lifecycle event being produced (the write statement, the
 * commit, the relay's publish).
 */
export const orchestratorLegParts = [
  'inventoryToApply',
  'inventoryToPublish',
  'paymentToApply',
  'paymentToPublish',
  'shippingToApply',
  'shippingToPublish',
] as const;
export type OrchestratorLegPart = (typeof orchestratorLegParts)[number];

/** The record type under which bench/saga-legs.ts files the history time of an applied reply. */
export const appliedType = <R extends string>(reply: R): `applied:${R}` => `applied:${reply}`;

/** Splits the orchestrator legs of `legDurations` at the applied times; null when one is missing. */
export function orchestratorLegSplit(
  records: readonly OrderRecordTime[],
): Record<OrchestratorLegPart, number> | null {
  const legs = legDurations(records);
  const t = firstTimes(records, [
    'StockReserved',
    'PaymentSucceeded',
    'ShippingScheduled',
    appliedType('StockReserved'),
    appliedType('PaymentSucceeded'),
    appliedType('ShippingScheduled'),
  ]);
  if (legs === null || t === null) return null;
  const stock = t['applied:StockReserved'] - t.StockReserved;
  const payment = t['applied:PaymentSucceeded'] - t.PaymentSucceeded;
  const shipping = t['applied:ShippingScheduled'] - t.ShippingScheduled;
  return {
    inventoryToApply: stock,
    inventoryToPublish: legs.inventoryOrchestrator - stock,
    paymentToApply: payment,
    paymentToPublish: legs.paymentOrchestrator - payment,
    shippingToApply: shipping,
    shippingToPublish: legs.shippingOrchestrator - shipping,
  };
}
