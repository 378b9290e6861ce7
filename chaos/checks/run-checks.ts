/**
 * The invariants 0–6 (5e: fulfilment-check.ts) checked after quiescence, in report order: each reads its facts from the
 * database (or takes what the run collected) and returns one report row. Invariant 7 is the run's
 * own (survival-check.ts). docs/reliability.md lists them all.
 */
import type { Knex } from 'knex';
import { readSagasInFlight } from '../../orchestrator/runner/in-flight-counter.ts';
import type { PlacedOrder } from '../driver.ts';
import type { ReplyScan } from '../reply-scan.ts';
import type { CheckResult, Disruption } from './check-result.ts';
import { effectsCheck, outboxCheck, readEffectFacts, readOutboxRows } from './effect-checks.ts';
import { fulfilmentCheck, readFulfilmentFacts } from './fulfilment-check.ts';
import { ledgerCheck, readLedgerFacts } from './ledger-check.ts';
import {
  acknowledgedOrdersCheck,
  noFailedSagaCheck,
  sagasInFlightCheck,
  terminalOrdersCheck,
} from './order-checks.ts';
import { compareOutcomes, outcomeCheck, readTimedOutHistories } from './outcome-check.ts';
import {
  commandsAnsweredCheck,
  type DeadLetterSeen,
  deadLetterCheck,
  type ExpectedDeadLetters,
  indexReplies,
  readAppliedReplies,
  readProcessedCommands,
  repliesAppliedCheck,
} from './reply-checks.ts';
import {
  readReservations,
  readStockBalances,
  reservationCheck,
  stockConservationCheck,
} from './stock-checks.ts';
import { indexOrders, readOrderRows } from './stored-orders.ts';

export interface CheckInput {
  db: Knex;
  placed: readonly PlacedOrder[];
  replies: ReplyScan;
  deadLetters: Record<string, number>;
  disruptions: readonly Disruption[];
  /** A step that timed out up to this long after a disruption ended is still explained by it (backlog). */
  graceMs: number;
  /** The dead letters themselves (read only when there are any) and those the compensation faults cause. */
  deadLetterRecords?: readonly DeadLetterSeen[];
  expectedDeadLetters?: readonly ExpectedDeadLetters[];
}

export async function runChecks({
  db,
  placed,
  replies,
  deadLetters,
  disruptions,
  graceMs,
  deadLetterRecords = [],
  expectedDeadLetters = [],
}: CheckInput): Promise<CheckResult[]> {
  const orders = indexOrders(await readOrderRows(db), placed);
  const replyIndex = indexReplies(replies);
  const outcomes = compareOutcomes(placed, orders);
  return [
    acknowledgedOrdersCheck(placed, orders),
    terminalOrdersCheck(orders),
    noFailedSagaCheck(orders),
    sagasInFlightCheck(orders, await readSagasInFlight(db)),
    stockConservationCheck(await readStockBalances(db)),
    reservationCheck(orders, await readReservations(db)),
    ledgerCheck(orders, await readLedgerFacts(db)),
    outboxCheck(await readOutboxRows(db)),
    effectsCheck(orders, await readEffectFacts(db)),
    commandsAnsweredCheck(await readProcessedCommands(db), replyIndex),
    repliesAppliedCheck(replyIndex, await readAppliedReplies(db)),
    deadLetterCheck(deadLetters, deadLetterRecords, expectedDeadLetters),
    fulfilmentCheck(orders, placed, await readFulfilmentFacts(db)),
    outcomeCheck(outcomes, await readTimedOutHistories(db, outcomes.mismatched), disruptions, graceMs),
  ];
}
