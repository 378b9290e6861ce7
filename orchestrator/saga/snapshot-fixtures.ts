/**
 * Saga snapshot fixtures (Temporal's replay test, for a state machine): `buildSnapshotFixture`
 * walks the current machine from its start with every event, keeps a stored snapshot of each
 * state and attempt it reaches (as a row stores it) with the events that state takes and where
 * each leads; `replaySnapshotFixture` restores each snapshot of a committed fixture the way the
 * runner does (version check or upgrade, pricing from the order, restore) and steps it with each
 * recorded event, expecting the recorded next state. `npm run gen:saga-fixtures` writes the
 * current version's fixture; the replay test replays every committed one.
 */
import { storedSagaJson, withPricing } from './order-pricing.ts';
import type { OrderRecord } from './order-record.ts';
import { restore, type SagaSnapshot, type SagaStep, start, step, toPersisted } from './order-saga.machine.ts';
import type { SagaEvent, SagaStateName, StoredSaga } from './saga-types.ts';
import { changedSteps, currentStoredSaga, sagaSnapshotVersion } from './snapshot-version.ts';

export interface SnapshotFixtureEntry {
  /** The events that led from the start to this snapshot. */
  path: SagaEvent['type'][];
  state: SagaStateName;
  /** The snapshot as orders.sagas.snapshot holds it. */
  stored: StoredSaga;
  /** Each event the state takes, and the state it leads to. */
  steps: Array<{ event: SagaEvent; to: SagaStateName }>;
}

export interface SnapshotFixture {
  version: number;
  /** The machine it was made from (machine-fingerprint.ts). */
  fingerprint: string;
  /** The order every snapshot belongs to (its pricing is put back at restore, as the runner does). */
  order: OrderRecord;
  sagas: SnapshotFixtureEntry[];
}

const sku = 'SKU-001';
const unitPrice = 500;

export const fixtureOrder: OrderRecord = {
  orderId: '00000000-0000-4000-8000-000000000001',
  customerId: 'customer-fixture',
  items: [{ sku, quantity: 2, unitPrice }],
  total: null,
  currency: 'EUR',
  paymentToken: 'tok_fixture',
  shippingAddress: {
    name: 'Fixture',
    line1: '1 Fixture Street',
    line2: null,
    city: 'Paris',
    postalCode: '75001',
    country: 'FR',
  },
  correlationId: '00000000-0000-4000-8000-000000000002',
  contact: null,
};

/** Every event type once, and StockReserved twice: at the expected price, and at another one. */
const candidateEvents: readonly SagaEvent[] = [
  { type: 'StockReserved', lines: [{ sku, unitPrice, currency: 'EUR' }] },
  { type: 'StockReserved', lines: [{ sku, unitPrice: unitPrice + 1, currency: 'EUR' }] },
  { type: 'StockRejected' },
  { type: 'PaymentSucceeded' },
  { type: 'PaymentFailed' },
  { type: 'ShippingScheduled' },
  { type: 'ShippingFailed' },
  { type: 'StockReleased' },
  { type: 'PaymentRefunded' },
  { type: 'ShippingCancelled', cancelled: true, parcel: null },
  { type: 'ShipmentPickedUp', carrier: 'DHL', pickedUpAt: '2026-12-07T10:00:00.000Z' },
  {
    type: 'ShipmentDelivered',
    carrier: 'DHL',
    pickedUpAt: '2026-12-07T10:00:00.000Z',
    deliveredAt: '2026-12-07T10:00:30.000Z',
  },
  { type: 'DEADLINE_PASSED' },
  { type: 'RETRY' },
  { type: 'CANCEL' },
];

/**
 * The fixture of the current machine: breadth first from the start, one snapshot per state,
 * attempt and failed step (two attempts per step, so both sides of every attempts-left guard are
 * reached).
 */
export function buildSnapshotFixture(fingerprint: string): SnapshotFixture {
  const first = start({
    orderId: fixtureOrder.orderId,
    retryPolicy: { forwardAttempts: 2, compensationAttempts: 2 },
    pricing: {
      currency: fixtureOrder.currency,
      lines: fixtureOrder.items.map((i) => ({
        sku: i.sku,
        quantity: i.quantity,
        expectedUnitPrice: i.unitPrice,
      })),
    },
  }).snapshot;
  // `failure`: a failed saga resumes where it failed (the RETRY guards read it).
  const keyOf = (s: SagaSnapshot) => `${s.value}/${s.context.attempt}/${s.context.failure?.state ?? ''}`;
  const seen = new Set([keyOf(first)]);
  const queue: Array<{ snapshot: SagaSnapshot; path: SagaEvent['type'][] }> = [{ snapshot: first, path: [] }];
  const sagas: SnapshotFixtureEntry[] = [];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { snapshot, path } = next;
    const steps: SnapshotFixtureEntry['steps'] = [];
    for (const event of candidateEvents) {
      const after = step(snapshot, event);
      if (!after.accepted) continue;
      steps.push({ event, to: after.snapshot.value });
      const key = keyOf(after.snapshot);
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ snapshot: after.snapshot, path: [...path, event.type] });
    }
    sagas.push({
      path,
      state: snapshot.value,
      stored: JSON.parse(storedSagaJson(toPersisted(snapshot))) as StoredSaga,
      steps,
    });
  }
  return { version: sagaSnapshotVersion, fingerprint, order: fixtureOrder, sagas };
}

/** Whether an older version's step leads where this code declares it now does (snapshot-version.ts). */
const changedOnPurpose = (
  version: number,
  state: SagaStateName,
  event: SagaEvent,
  after: SagaStep,
): boolean =>
  (changedSteps[version] ?? []).some(
    (c) => c.state === state && c.event === event.type && c.to === after.snapshot.value,
  );

/** One snapshot of a fixture that did not restore, or did not step as recorded. */
export interface ReplayProblem {
  path: string;
  problem: string;
}

/**
 * Replays a fixture against the current code: the problems found (none: every snapshot restored,
 * and stepped with every recorded event to the recorded state).
 */
export function replaySnapshotFixture(fixture: SnapshotFixture): ReplayProblem[] {
  const problems: ReplayProblem[] = [];
  for (const entry of fixture.sagas) {
    const where = `v${fixture.version} ${entry.state} via [${entry.path.join(', ')}]`;
    let restored: SagaSnapshot;
    try {
      restored = restore(withPricing(currentStoredSaga(entry.stored, fixture.order.orderId), fixture.order));
    } catch (error) {
      problems.push({ path: where, problem: `does not restore: ${(error as Error).message}` });
      continue;
    }
    if (restored.value !== entry.state)
      problems.push({ path: where, problem: `restores as ${restored.value}, not ${entry.state}` });
    for (const { event, to } of entry.steps) {
      try {
        const after = step(restored, event);
        if (!after.accepted) problems.push({ path: where, problem: `no longer takes ${event.type}` });
        else if (after.snapshot.value !== to && !changedOnPurpose(fixture.version, entry.state, event, after))
          problems.push({
            path: where,
            problem: `${event.type} leads to ${after.snapshot.value}, not ${to}`,
          });
      } catch (error) {
        problems.push({ path: where, problem: `${event.type} throws: ${(error as Error).message}` });
      }
    }
  }
  return problems;
}
