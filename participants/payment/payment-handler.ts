import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import type { BatchHandler } from '../../lib/messaging/message-consumer.ts';
import { createPaymentMetrics, type PaymentMetrics } from '../../lib/metrics/participant-metrics.ts';
import {
  type CommandBatchSpec,
  createCommandBatchHandler,
  type ParticipantHandlerDeps,
} from '../common/command-batch.ts';
import {
  decidePayment,
  isPaymentCommand,
  type Payment,
  type PaymentChange,
  type PaymentCommand,
  paymentCommands,
} from './payment-decisions.ts';
import { lockPayments, savePaymentChanges } from './payment-store.ts';

/** Applies a decided change to the locked rows in memory, so the next command of the batch sees it. */
export function applyPaymentChange(payments: Map<string, Payment>, change: PaymentChange): void {
  switch (change.kind) {
    case 'none':
      return;
    case 'charge':
    case 'decline':
    case 'refund':
    case 'void':
      payments.set(change.payment.orderId, change.payment);
      return;
    default: {
      const unexpected: never = change;
      throw new TypeError(`unexpected payment change ${JSON.stringify(unexpected)}`);
    }
  }
}

/** Counts the charges and refunds of a committed batch (payments_total, payment_amount_minor_total). */
export function countPayments(metrics: PaymentMetrics, changes: readonly PaymentChange[]): void {
  for (const change of changes) {
    if (change.kind === 'charge' || change.kind === 'refund')
      metrics.recorded(change.kind, change.ledger.amount, change.ledger.currency);
  }
}

/**
 * Payment's batch handler: locks the batch's payment rows, decides each command in order against
 * the simulated gateway (at most one charge per order, ever), writes payments and ledger entries
 * once and appends the replies to the outbox.
 */
export function createPaymentHandler(deps: ParticipantHandlerDeps, faults: FaultSwitch): BatchHandler {
  const newId = deps.newId;
  const metrics = deps.metrics === undefined ? null : createPaymentMetrics(deps.metrics);
  const spec: CommandBatchSpec<PaymentCommand, Map<string, Payment>, PaymentChange> = {
    service: 'payment',
    handles: [...paymentCommands.forward, ...paymentCommands.compensations],
    accepts: isPaymentCommand,
    newOrders: { commands: ['ProcessPayment'], load: async () => new Map() },
    lock: (unit, commands) =>
      lockPayments(
        unit,
        commands.map((c) => c.orderId),
      ),
    decide: (command, payments, { orderId, decline }) =>
      decidePayment(command, { payment: payments.get(orderId) ?? null }, { newPaymentId: newId(), decline }),
    apply: applyPaymentChange,
    save: savePaymentChanges,
    ...(metrics === null ? {} : { committed: (changes) => countPayments(metrics, changes) }),
  };
  return createCommandBatchHandler(spec, deps, faults);
}
