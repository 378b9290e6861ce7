/** The commands a silent window can silence, and what silencing each one affects. */
import type { ParticipantName } from '../cluster.ts';
import type { RegularKind } from '../order-mix.ts';

export type SilencedCommand = 'ReserveStock' | 'ProcessPayment' | 'ScheduleShipping';

/** The order the windows rotate through (the first one is seeded). */
export const windowCommands: readonly SilencedCommand[] = [
  'ScheduleShipping',
  'ProcessPayment',
  'ReserveStock',
];

export const silencedParticipant: Record<SilencedCommand, ParticipantName> = {
  ReserveStock: 'inventory',
  ProcessPayment: 'payment',
  ScheduleShipping: 'shipping',
};

/** Saga states in which an order may still need the command (it must not meet the silence). */
export const statesUpTo: Record<SilencedCommand, readonly string[]> = {
  ReserveStock: ['reservingStock'],
  ProcessPayment: ['reservingStock', 'processingPayment'],
  ScheduleShipping: ['reservingStock', 'processingPayment', 'schedulingShipping'],
};

/** The kinds the run cancels or delivers (order-mix.ts): their sagas run every forward step (or may). */
const followedUp: readonly RegularKind[] = ['cancel_in_flight', 'cancel_completed', 'delivered'];

/** Regular kinds whose saga sends the command: they are held back while it is silenced. */
export const kindsReaching: Record<SilencedCommand, readonly RegularKind[]> = {
  ReserveStock: ['happy', 'declined', 'out_of_stock', 'unserved', ...followedUp],
  ProcessPayment: ['happy', 'declined', 'unserved', ...followedUp],
  ScheduleShipping: ['happy', 'unserved', ...followedUp],
};
