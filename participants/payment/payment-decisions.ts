/**
 * Payment's domain decisions, pure: (command, current state) → (change to store, reply to send).
 *
 * The gateway is simulated like a card processor's test mode: the token `tok_decline` is declined,
 * any other token is charged. Rules (idempotent by order id, on top of the inbox):
 * - ProcessPayment charges at most once per order, ever (a CHARGED payment and a ledger `charge`
 *   row → PaymentSucceeded); a decline is recorded (DECLINED → PaymentFailed `declined`).
 * - RefundPayment refunds a CHARGED payment (ledger `refund` row → PaymentRefunded refunded=true,
 *   with paymentId and amount). With nothing charged it writes a VOIDED tombstone (refunded=false,
 *   amount 0): a late ProcessPayment then cannot charge (PaymentFailed `declined`, "already voided").
 * - A repeat gets the recorded answer; a ProcessPayment after the refund is declined, never re-charged.
 */
import type {
  PaymentEventsRecord,
  PaymentFailureReason,
  ProcessPayment,
  RefundPayment,
  TypedRecord,
} from '../../lib/contracts/generated.ts';
import type { ParticipantCommands } from '../../lib/faults/fault-routes.ts';

export const paymentCommands = {
  forward: ['ProcessPayment'],
  compensations: ['RefundPayment'],
} as const satisfies ParticipantCommands;

export type PaymentCommandName = 'ProcessPayment' | 'RefundPayment';
export type PaymentCommand = TypedRecord<PaymentCommandName>;

export const isPaymentCommand = (record: TypedRecord): record is PaymentCommand =>
  record.type === 'ProcessPayment' || record.type === 'RefundPayment';

/** The simulated gateway's test token that is always declined. */
export const declinedTestToken = 'tok_decline';

export type PaymentStatus = 'CHARGED' | 'DECLINED' | 'REFUNDED' | 'VOIDED';

/** The one payment row of an order. */
export interface Payment {
  orderId: string;
  /** Set once charged; null for a decline and a void tombstone. */
  paymentId: string | null;
  status: PaymentStatus;
  /** Charged amount in minor units (what ProcessPayment asked for; 0 for a void tombstone). */
  amount: number;
  /** ISO 4217 code; null for a void tombstone (RefundPayment carries no currency). */
  currency: string | null;
  customerId: string | null;
  /** Why it was declined (status DECLINED), so a repeat gets the same answer. */
  failure: { reason: PaymentFailureReason; message: string } | null;
}

export type LedgerKind = 'charge' | 'refund';

export interface LedgerEntry {
  orderId: string;
  paymentId: string;
  kind: LedgerKind;
  amount: number;
  currency: string;
}

export interface PaymentState {
  payment: Payment | null;
}

export interface PaymentDecisionOptions {
  /** Id for a new payment (used only when one is charged). */
  newPaymentId: string;
  /** Fault `decline` is on for this command: decline a new charge with reason fault_injected. */
  decline: boolean;
}

export type PaymentChange =
  | { kind: 'none' }
  | { kind: 'charge'; payment: Payment; ledger: LedgerEntry }
  | { kind: 'decline'; payment: Payment }
  | { kind: 'refund'; payment: Payment; ledger: LedgerEntry }
  | { kind: 'void'; payment: Payment };

export type PaymentDecision =
  | { kind: 'reply'; change: PaymentChange; reply: PaymentEventsRecord; warning: string | null }
  | { kind: 'invalid'; problem: string };

const none: PaymentChange = { kind: 'none' };

const succeeded = (
  orderId: string,
  paymentId: string,
  amount: number,
  currency: string,
): PaymentEventsRecord => ({
  type: 'PaymentSucceeded',
  payload: { orderId, paymentId, amount, currency },
});
const failed = (orderId: string, reason: PaymentFailureReason, message: string): PaymentEventsRecord => ({
  type: 'PaymentFailed',
  payload: { orderId, reason, message },
});
const refunded = (
  orderId: string,
  paymentId: string | null,
  amount: number,
  done: boolean,
): PaymentEventsRecord => ({
  type: 'PaymentRefunded',
  payload: { orderId, paymentId, amount, refunded: done },
});

export const declineMessages = {
  testToken: `card declined by the simulated gateway (test token ${declinedTestToken})`,
  faultInjected: 'payment declined by an injected fault (POST /faults on the payment service)',
  voided: 'order was already voided (RefundPayment arrived before any charge); it is not charged',
  refunded: (paymentId: string) =>
    `payment ${paymentId} of this order was already refunded; it is not charged again`,
} as const;

/** Contract checks of ProcessPayment: a non-negative integer amount and an ISO 4217-shaped currency. */
export function processPaymentProblem(command: ProcessPayment): string | null {
  if (!Number.isSafeInteger(command.amount) || command.amount < 0) {
    return `amount must be a non-negative integer in minor units (got ${command.amount})`;
  }
  if (!/^[A-Z]{3}$/.test(command.currency))
    return `currency must be an ISO 4217 code like EUR (got '${command.currency}')`;
  return null;
}

export function decidePayment(
  command: PaymentCommand,
  state: PaymentState,
  options: PaymentDecisionOptions,
): PaymentDecision {
  switch (command.type) {
    case 'ProcessPayment':
      return decideProcess(command.payload, state, options);
    case 'RefundPayment':
      return decideRefund(command.payload, state);
    default: {
      const unexpected: never = command;
      throw new TypeError(`unexpected payment command ${JSON.stringify(unexpected)}`);
    }
  }
}

function decideProcess(
  command: ProcessPayment,
  state: PaymentState,
  options: PaymentDecisionOptions,
): PaymentDecision {
  const problem = processPaymentProblem(command);
  if (problem !== null) return { kind: 'invalid', problem };
  const { orderId, amount, currency, customerId } = command;
  const existing = state.payment;
  if (existing !== null) return repeatProcess(command, existing);

  const decline = (reason: PaymentFailureReason, message: string): PaymentDecision => ({
    kind: 'reply',
    change: {
      kind: 'decline',
      payment: {
        orderId,
        paymentId: null,
        status: 'DECLINED',
        amount,
        currency,
        customerId,
        failure: { reason, message },
      },
    },
    reply: failed(orderId, reason, message),
    warning: null,
  });
  if (options.decline) return decline('fault_injected', declineMessages.faultInjected);
  if (command.paymentToken === declinedTestToken) return decline('declined', declineMessages.testToken);

  const paymentId = options.newPaymentId;
  return {
    kind: 'reply',
    change: {
      kind: 'charge',
      payment: { orderId, paymentId, status: 'CHARGED', amount, currency, customerId, failure: null },
      ledger: { orderId, paymentId, kind: 'charge', amount, currency },
    },
    reply: succeeded(orderId, paymentId, amount, currency),
    warning: null,
  };
}

/** ProcessPayment for an order that already has a payment row: the recorded answer, never a second charge. */
function repeatProcess(command: ProcessPayment, existing: Payment): PaymentDecision {
  const { orderId } = command;
  switch (existing.status) {
    case 'CHARGED': {
      if (existing.paymentId === null || existing.currency === null) {
        throw new TypeError(`payment of order ${orderId} is CHARGED without an id or currency`);
      }
      const differs = existing.amount !== command.amount || existing.currency !== command.currency;
      return {
        kind: 'reply',
        change: none,
        reply: succeeded(orderId, existing.paymentId, existing.amount, existing.currency),
        warning: differs
          ? `repeated ProcessPayment asks for ${command.amount} ${command.currency} but ${existing.amount} ${existing.currency} was charged; answering with the charge`
          : null,
      };
    }
    case 'DECLINED': {
      const { reason, message } = existing.failure ?? {
        reason: 'declined',
        message: declineMessages.testToken,
      };
      return { kind: 'reply', change: none, reply: failed(orderId, reason, message), warning: null };
    }
    case 'REFUNDED': {
      const message = declineMessages.refunded(existing.paymentId ?? 'unknown');
      return {
        kind: 'reply',
        change: none,
        reply: failed(orderId, 'declined', message),
        warning: `ProcessPayment after refund: ${message}`,
      };
    }
    case 'VOIDED':
      return {
        kind: 'reply',
        change: none,
        reply: failed(orderId, 'declined', declineMessages.voided),
        warning: `ProcessPayment arrived after RefundPayment (tombstone): ${declineMessages.voided}`,
      };
    default: {
      const unexpected: never = existing.status;
      throw new TypeError(`unexpected payment status ${String(unexpected)}`);
    }
  }
}

function decideRefund(command: RefundPayment, state: PaymentState): PaymentDecision {
  const { orderId } = command;
  const existing = state.payment;
  if (existing === null) {
    return {
      kind: 'reply',
      change: {
        kind: 'void',
        payment: {
          orderId,
          paymentId: null,
          status: 'VOIDED',
          amount: 0,
          currency: null,
          customerId: null,
          failure: null,
        },
      },
      reply: refunded(orderId, null, 0, false),
      warning: null,
    };
  }
  switch (existing.status) {
    case 'CHARGED': {
      if (existing.paymentId === null || existing.currency === null) {
        throw new TypeError(`payment of order ${orderId} is CHARGED without an id or currency`);
      }
      const { paymentId, amount, currency } = existing;
      return {
        kind: 'reply',
        change: {
          kind: 'refund',
          payment: { ...existing, status: 'REFUNDED' },
          ledger: { orderId, paymentId, kind: 'refund', amount, currency },
        },
        reply: refunded(orderId, paymentId, amount, true),
        warning: null,
      };
    }
    case 'REFUNDED':
      // Same answer as the first RefundPayment; no second refund.
      return {
        kind: 'reply',
        change: none,
        reply: refunded(orderId, existing.paymentId, existing.amount, true),
        warning: null,
      };
    case 'DECLINED':
    case 'VOIDED':
      // Nothing was charged; the row already stops a late ProcessPayment.
      return { kind: 'reply', change: none, reply: refunded(orderId, null, 0, false), warning: null };
    default: {
      const unexpected: never = existing.status;
      throw new TypeError(`unexpected payment status ${String(unexpected)}`);
    }
  }
}
