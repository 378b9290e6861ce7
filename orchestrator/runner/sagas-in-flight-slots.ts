/**
 * The number of counter rows in `orders.sagas_in_flight`: the rows migration 008
 * (`migrations/20261202_008_sagas_in_flight.ts`) created, slots 0..15. The in-flight total is spread
 * over them so concurrent transactions rarely touch the same row. The migration is frozen history,
 * so the runtime keeps its own copy of the number; `saga-runner.int.spec.ts` checks the table has
 * exactly this many rows, so the two cannot drift apart silently.
 */
export const sagasInFlightSlots = 16;
