import type { IncomingMessage } from './incoming-message.ts';

/** Hooks through which tests and the participants' fault switch (lib/faults) disturb a consumer. */
export interface FaultHooks {
  /** Fault injection: messages for which this returns true are dropped as if never received. */
  drop?: (message: IncomingMessage) => boolean;
  /** Fault injection: awaited before a batch is handled (a slow participant). */
  beforeHandle?: (messages: readonly IncomingMessage[]) => Promise<void>;
}

/** The messages `drop` lets through; the same array when there is no `drop` hook. */
export const withoutDropped = (messages: IncomingMessage[], drop: FaultHooks['drop']): IncomingMessage[] =>
  drop ? messages.filter((m) => !drop(m)) : messages;

/**
 * Heartbeats every 3 s while `beforeHandle` holds a batch, so a slow handler does not cost the group
 * membership; the caller clears the returned interval once the hook is done.
 */
export const heartbeatMeanwhile = (heartbeat: () => Promise<void>): NodeJS.Timeout =>
  setInterval(() => void heartbeat().catch(() => undefined), 3_000);
