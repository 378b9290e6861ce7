/** Why a saga timed out, read from its saga_history: the forward step that ran out of attempts. */

/** The participant each forward step waits for. */
export const participantOfState: Readonly<Record<string, string>> = {
  reservingStock: 'inventory',
  processingPayment: 'payment',
  schedulingShipping: 'shipping',
};

export interface HistoryRow {
  order_id: string;
  kind: string;
  from_state: string | null;
  to_state: string | null;
  at: Date;
}

export interface TimedOutStep {
  state: string;
  /** epoch ms when the saga entered the step */
  from: number;
  /** epoch ms when its last deadline passed */
  to: number;
}

/**
 * The forward step whose last deadline passed, and when that step started and gave up (`history` in
 * order). Null when the history shows no forward step running out of attempts.
 */
export function timedOutStep(history: readonly HistoryRow[]): TimedOutStep | null {
  const giveUp = [...history]
    .reverse()
    .find(
      (h) =>
        h.kind === 'deadline_passed' &&
        h.from_state !== null &&
        h.from_state in participantOfState &&
        h.to_state !== h.from_state,
    );
  if (!giveUp?.from_state) return null;
  const state = giveUp.from_state;
  const entered = history.find(
    (h) => h.to_state === state && (h.kind === 'saga_started' || h.kind === 'reply_received'),
  );
  return { state, from: (entered ?? giveUp).at.getTime(), to: giveUp.at.getTime() };
}
