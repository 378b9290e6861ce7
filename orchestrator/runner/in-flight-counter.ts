/**
 * The order status of a saga row and the in-flight counter admission control reads
 * (orders.sagas_in_flight, migration 20261202_008): its changes, written with the saga changes in
 * the same transaction, and its reads.
 */
import type { Knex } from 'knex';
import type { UnitOfWork } from '../../lib/db/unit-of-work.ts';
import { orderStatusOf } from '../saga/order-status.ts';
import type { OrderStatus, SagaStateName } from '../saga/saga-types.ts';

/**
 * The order status of a saga row, from the row alone (its state, and whether it is parked): never
 * from the order row joined to a `for update of` the saga, which may be older than the saga row
 * when the read waited for another transaction's lock (PostgreSQL re-checks only locked rows).
 */
export const sagaRowStatus = (saga: { state: SagaStateName; parked: boolean }): OrderStatus =>
  saga.parked ? 'FAILED' : orderStatusOf(saga.state);

/** Whether a saga with this order status counts as in flight (its steps still run). */
export const isInFlight = (status: OrderStatus): boolean => status === 'PENDING';

/**
 * By how much a batch of saga writes changes the number of sagas in flight: −1 for each saga that
 * ended (COMPLETED, CANCELLED, FAILED), +1 for each that runs again (an operator retry of a FAILED one, a cancel of a COMPLETED one).
 */
export const inFlightChange = (changes: ReadonlyArray<{ from: OrderStatus; to: OrderStatus }>): number =>
  changes.reduce((sum, { from, to }) => sum + Number(isInFlight(to)) - Number(isInFlight(from)), 0);

/**
 * Adds `change` to one counter row of orders.sagas_in_flight (migration 20261202_008) in the
 * transaction's write batch; `slot` spreads concurrent transactions over the rows. Add it last: the
 * write statement's CTEs run in the order its final SELECT reads them, which is the order they were
 * added, so the counter row is locked after every other write (a creation that waits on another
 * transaction's idempotency key holds no counter lock while it waits).
 */
export function countSagasInFlight(unit: UnitOfWork, change: number, slot: number): void {
  if (change === 0) return;
  if (!Number.isSafeInteger(change)) throw new Error(`in-flight change must be an integer, got ${change}`);
  unit.writes.add('update orders.sagas_in_flight set sagas = sagas + ? where slot = ?', [change, slot], {
    rows: 1,
    error: (touched) => new Error(`orders.sagas_in_flight has no row for slot ${slot} (touched ${touched})`),
  });
}

/** The number of sagas in flight: the sum of the counter rows. */
export async function readSagasInFlight(db: Knex): Promise<number> {
  const [row] = await db('orders.sagas_in_flight').sum<{ total: string | null }[]>({ total: 'sagas' });
  return Number(row?.total ?? 0);
}

/**
 * Sets the in-flight counter to the number of PENDING orders (an operator's repair after the
 * counter drifted, e.g. orders edited by hand). It locks every counter row first, so no transaction
 * that starts or ends sagas can commit while it counts (they wait for it): the count and the counter
 * describe the same moment.
 */
export async function recountSagasInFlight(db: Knex): Promise<{ before: number; after: number }> {
  return db.transaction(async (trx) => {
    const slots = await trx('orders.sagas_in_flight').select('sagas').orderBy('slot').forUpdate();
    const before = slots.reduce((sum: number, row: { sagas: string }) => sum + Number(row.sagas), 0);
    const [row] = await trx('orders.orders').where({ status: 'PENDING' }).count<{ n: string }[]>({ n: '*' });
    const after = Number(row?.n ?? 0);
    await trx('orders.sagas_in_flight').update({
      sagas: trx.raw('case when slot = 0 then ?::bigint else 0 end', [after]),
    });
    return { before, after };
  });
}
