/** Types of the order saga: commands, replies, context and the actions the machine asks a runner to do. */
import type { CancelReason } from '../../lib/contracts/generated.ts';

export type CommandName =
  | 'ReserveStock'
  | 'ProcessPayment'
  | 'ScheduleShipping'
  | 'ReleaseStock'
  | 'RefundPayment'
  | 'CancelShipping';

/** Why a saga compensated: the `CancelReason` enum of OrderCancelled's contract (schemas/order-events). */
export type { CancelReason };

/** One order line as the saga prices it: the customer's expected unit price, when given. */
export type PricedLine = { sku: string; quantity: number; expectedUnitPrice: number | null };

/** What the saga needs to price an order: its currency and lines (from the order, at start). */
export type OrderPricing = { currency: string; lines: PricedLine[] };

/** One reserved line's catalog price, as StockReserved carries it. */
export type CatalogLine = { sku: string; unitPrice: number; currency: string };

/** The order priced with the catalog (every SKU had a catalog price in the order's currency). */
export type CatalogPricing = { total: number; unitPrices: Record<string, number> };

export type OrderStatus = 'PENDING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';

/** Public state names (the HTTP API shows them). */
export const sagaStateNames = [
  'reservingStock',
  'processingPayment',
  'schedulingShipping',
  'completed',
  'shipped',
  'delivered',
  'cancellingShipping',
  'refundingPayment',
  'releasingStock',
  'cancelled',
  'failed',
] as const;
export type SagaStateName = (typeof sagaStateNames)[number];

/** The tag of a state where a saga may rest for good although it still takes an event (a cancel). */
export const settledTag = 'settled';

/**
 * Shipping's carrier events (not replies to a command): the parcel picked up, delivered. Times are
 * ISO 8601 strings, as the context keeps them.
 */
export type CarrierEvent =
  | { type: 'ShipmentPickedUp'; carrier: string; pickedUpAt: string }
  | { type: 'ShipmentDelivered'; carrier: string; pickedUpAt: string; deliveredAt: string };

/** Where the parcel is, once its carrier has it (ISO 8601 times; null before the event). */
export type Fulfilment = { carrier: string; pickedUpAt: string; deliveredAt: string | null };

/** Participant replies, shipping's carrier events, the runner's deadline timer, the operator's retry and a cancel (customer or operator). */
export type SagaEvent =
  | { type: 'StockReserved'; lines: CatalogLine[] }
  | { type: 'StockRejected' }
  | { type: 'PaymentSucceeded' }
  | { type: 'PaymentFailed' }
  | { type: 'ShippingScheduled' }
  | { type: 'ShippingFailed' }
  | { type: 'StockReleased' }
  | { type: 'PaymentRefunded' }
  /**
   * Shipping's answer to CancelShipping. `cancelled` false with a `parcel`: too late, its carrier had
   * the parcel (where it is then); false without one: there was nothing to cancel.
   */
  | { type: 'ShippingCancelled'; cancelled: boolean; parcel: Fulfilment | null }
  | CarrierEvent
  | { type: 'DEADLINE_PASSED' }
  | { type: 'RETRY' }
  | { type: 'CANCEL' };

/** Every event type once (the type checker refuses a missing or unknown one). */
const eachEventType: Record<SagaEvent['type'], true> = {
  StockReserved: true,
  StockRejected: true,
  PaymentSucceeded: true,
  PaymentFailed: true,
  ShippingScheduled: true,
  ShippingFailed: true,
  StockReleased: true,
  PaymentRefunded: true,
  ShippingCancelled: true,
  ShipmentPickedUp: true,
  ShipmentDelivered: true,
  DEADLINE_PASSED: true,
  RETRY: true,
  CANCEL: true,
};
export const sagaEventTypes = Object.keys(eachEventType) as ReadonlyArray<SagaEvent['type']>;

/** Attempts per step, counting the first send. */
export type RetryPolicy = { forwardAttempts: number; compensationAttempts: number };

export type SagaInput = { orderId: string; retryPolicy: RetryPolicy; pricing: OrderPricing };

export type SagaFailure = { step: CommandName; state: SagaStateName; reason: string };

export type SagaContext = {
  orderId: string;
  retryPolicy: RetryPolicy;
  /** 1-based attempt of the current step's command. */
  attempt: number;
  /** Operator-retry round: starts at 0, +1 on each RETRY (part of the command's message id). */
  round: number;
  cancelReason: CancelReason | null;
  failure: SagaFailure | null;
  /** The order's currency and lines with the customer's expected prices. */
  pricing: OrderPricing;
  /** The catalog's prices and total once inventory reserved the stock; null before. */
  catalog: CatalogPricing | null;
  /**
   * Set when the carrier picked the parcel up (states shipped, delivered); null before. Sagas
   * stored before delivery stages have none (undefined): read it with `fulfilmentOf`.
   */
  fulfilment?: Fulfilment | null;
};

export type SendCommandParams = { command: CommandName; attempt: number; round: number };
export type ArmDeadlineParams = { command: CommandName; attempt: number; compensation: boolean };
export type OrderLifecycleEvent =
  | { event: 'OrderPlaced' }
  | { event: 'OrderCompleted' }
  | { event: 'OrderShipped' }
  | { event: 'OrderDelivered' }
  | { event: 'OrderCancelled'; reason: CancelReason }
  | { event: 'OrderFailed'; pendingStep: CommandName; reason: string };

/** What the runner must do after a transition, in order (plain data). */
export type SagaAction =
  | { type: 'sendCommand'; params: SendCommandParams }
  | { type: 'armDeadline'; params: ArmDeadlineParams }
  | { type: 'disarmDeadline' }
  | { type: 'publishOrderEvent'; params: OrderLifecycleEvent };

/** What the runner stores: enough to rebuild the snapshot with `restore`. */
export type PersistedSaga = { value: SagaStateName; context: SagaContext };

/**
 * A saga as its row holds it (orders.sagas.snapshot): the persisted saga without `pricing`, which is
 * the order's currency and lines, kept once in its orders row and put back at restore
 * (order-pricing.ts `withPricing`). Rows written before carry `pricing`; rows from before sagas
 * priced orders have neither `pricing` nor `catalog`.
 */
export type StoredSaga = {
  /** The snapshot's version (snapshot-version.ts); absent in rows written before versions: 1. */
  v?: number;
  value: SagaStateName;
  context: Omit<SagaContext, 'pricing' | 'catalog'> & {
    pricing?: OrderPricing;
    catalog?: CatalogPricing | null;
  };
};
