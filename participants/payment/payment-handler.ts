import type { FaultSwitch } from '../../lib/faults/fault-switch.ts';
import type { BatchHandler } from '../../lib/messaging/message-consumer.ts';
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

/**
 * Payment's batch handler: locks the batch's payment rows, decides each command in order against
 * the simulated gateway (at most one charge per order, ever), writes payments and ledger entries
 * once and appends the replies to the outbox.
 */
export function createPaymentHandler(deps: ParticipantHandlerDeps, faults: FaultSwitch): BatchHandler {
  const newId = deps.newId;
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
  };
  return createCommandBatchHandler(spec, deps, faults);
}
