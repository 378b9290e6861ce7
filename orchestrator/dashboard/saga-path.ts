/**
 * The path a saga took, read from its history (orders.saga_history): each state it entered, when, and
 * what moved it there. The order page highlights these states and transitions on the state chart.
 */
import type { HistoryView } from '../orders/order-queries.ts';

export interface PathStep {
  /** null for the first step (the saga started). */
  from: string | null;
  to: string;
  at: string;
  /** The event that moved it: the reply's record type, a deadline or an operator action. */
  cause: string;
  kind: string;
}

/** History kinds that change the saga's state: the start and the events it accepted. */
const movingKinds = new Set(['saga_started', 'reply_received', 'deadline_passed', 'operator_action']);

/** The steps of the path in order; a re-sent step (same state again after a deadline) is a step too. */
export const sagaPathOf = (history: readonly HistoryView[]): PathStep[] =>
  history
    .filter((h) => movingKinds.has(h.kind) && h.toState !== null)
    .map((h) => ({ from: h.fromState, to: h.toState as string, at: h.at, cause: h.type, kind: h.kind }));
