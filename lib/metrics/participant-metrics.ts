import { Gauge, type Registry } from 'prom-client';
import type {
  InventoryEventsRecord,
  PaymentEventsRecord,
  ShippingEventsRecord,
} from '../contracts/generated.ts';
import { FastCounter } from './fast-counter.ts';
import { ChildrenBy1, ChildrenBy2 } from './label-children.ts';

/** What a participant's handling of a command came to (participant_commands_total's `outcome`). */
export type CommandOutcome =
  | 'reserved'
  | 'rejected'
  | 'released'
  | 'succeeded'
  | 'declined'
  | 'refunded'
  | 'scheduled'
  | 'failed'
  | 'cancelled'
  | 'duplicate';

/** The record types a participant answers a command with (shipping's carrier events answer none). */
export type ParticipantReply = Exclude<
  (InventoryEventsRecord | PaymentEventsRecord | ShippingEventsRecord)['type'],
  'ShipmentPickedUp' | 'ShipmentDelivered'
>;

const outcomeOfReply: Record<ParticipantReply, CommandOutcome> = {
  StockReserved: 'reserved',
  StockRejected: 'rejected',
  StockReleased: 'released',
  PaymentSucceeded: 'succeeded',
  PaymentFailed: 'declined',
  PaymentRefunded: 'refunded',
  ShippingScheduled: 'scheduled',
  ShippingFailed: 'failed',
  ShippingCancelled: 'cancelled',
};

/**
 * The outcome of a command answered with `reply`; `changed` false (the command changed nothing: a
 * re-sent command answered as before, or a compensation with nothing to undo) is `duplicate`.
 */
export const commandOutcomeOf = (reply: ParticipantReply, changed: boolean): CommandOutcome =>
  changed ? outcomeOfReply[reply] : 'duplicate';

/** `participant_commands_total{command,outcome}`: counted once the batch's transaction committed. */
export interface ParticipantMetrics {
  handled(command: string, outcome: CommandOutcome): void;
}

export function createParticipantMetrics(registry: Registry): ParticipantMetrics {
  const commands = new FastCounter({
    name: 'participant_commands_total',
    help: 'Commands handled (committed), by command and outcome',
    labelNames: ['command', 'outcome'],
    registers: [registry],
  });
  const of = new ChildrenBy2((command, outcome) => commands.labels({ command, outcome }));
  return { handled: (command, outcome) => of.of(command, outcome).inc() };
}

/** Payment's `payments_total{kind}` and `payment_amount_minor_total{kind,currency}`, counted after commit. */
export interface PaymentMetrics {
  recorded(kind: 'charge' | 'refund', amountMinor: number, currency: string): void;
}

export function createPaymentMetrics(registry: Registry): PaymentMetrics {
  const payments = new FastCounter({
    name: 'payments_total',
    help: 'Charges and refunds made',
    labelNames: ['kind'],
    registers: [registry],
  });
  const amounts = new FastCounter({
    name: 'payment_amount_minor_total',
    help: 'Amounts charged and refunded, in minor units of the currency',
    labelNames: ['kind', 'currency'],
    registers: [registry],
  });
  const amountOf = new ChildrenBy2((kind, currency) => amounts.labels({ kind, currency }));
  const countOf = new ChildrenBy1((kind) => payments.labels({ kind }));
  return {
    recorded(kind, amountMinor, currency) {
      countOf.of(kind).inc();
      amountOf.of(kind, currency).inc(amountMinor);
    },
  };
}

/** Inventory's `stock_available{sku}`: read from the stock table when scraped (nothing on the hot path). */
export function registerStockGauge(
  registry: Registry,
  readStock: () => Promise<ReadonlyArray<{ sku: string; available: number }>>,
): void {
  new Gauge({
    name: 'stock_available',
    help: 'Units available to reserve, per SKU',
    labelNames: ['sku'],
    registers: [registry],
    async collect() {
      this.reset();
      // Unreadable (the database is down): no series this scrape, rather than stale levels.
      for (const { sku, available } of await readStock().catch(() => [])) this.set({ sku }, available);
    },
  });
}
