/**
 * The version of the snapshots the order saga stores (orders.sagas.snapshot, field `v`).
 *
 * Bump `sagaSnapshotVersion` when the machine changes so that a snapshot stored by the previous
 * code no longer restores and steps as it did (a state renamed or removed, a context field whose
 * meaning changed, a transition taken away from a state a saga may rest in). Then either add an
 * upgrade from the old version (`upgrades`), or refuse it on purpose (`refusedSnapshotVersions`,
 * saying what operators must do), and run `npm run gen:saga-fixtures` for the new version's
 * fixture. The replay test (snapshot-replay.unit.spec.ts) replays the committed fixture of every
 * version (test/fixtures/saga-snapshots/v<N>.json) against the code, and checks that the current
 * version's fixture was made from the current machine (machine-fingerprint.ts): a machine change
 * fails CI until it is either shown compatible (the old fixture still replays; regenerate) or
 * versioned.
 */
import type { SagaEvent, SagaStateName, StoredSaga } from './saga-types.ts';

/**
 * 2: in cancellingShipping a carrier event is noted and shipping's answer to CancelShipping decides
 * (it says whether the carrier had the parcel); before, a pickup moved the saga to shipped.
 */
export const sagaSnapshotVersion = 2;

/** The version of a stored saga without `v`: rows written before snapshots carried one. */
const unversioned = 1;

/** A stored snapshot this code cannot restore: written by a newer release, or refused on purpose. */
export class UnsupportedSnapshotVersionError extends Error {
  readonly version: unknown;
  readonly orderId: string | null;
  constructor(version: unknown, reason: string, orderId: string | null) {
    super(
      `saga snapshot${orderId ? ` of order ${orderId}` : ''} has version ${JSON.stringify(version)}, which ${reason}; this code reads version ${sagaSnapshotVersion}${
        sagaSnapshotVersion > 1 ? ' and upgrades older ones' : ''
      }`,
    );
    this.name = 'UnsupportedSnapshotVersionError';
    this.version = version;
    this.orderId = orderId;
  }
}

/** Each older version this code still reads: a stored saga of version n becomes one of version n + 1. */
const upgrades: Readonly<Record<number, (stored: StoredSaga) => StoredSaga>> = {
  // The stored form is the same; only the steps below changed.
  1: (stored) => stored,
};

/** A step of an older version that leads elsewhere in this code, on purpose, and why that strands nothing. */
export interface ChangedStep {
  state: SagaStateName;
  event: SagaEvent['type'];
  /** Where it leads now. */
  to: SagaStateName;
  why: string;
}

/** The changed steps of each older version (the replay test holds its fixture to the rest). */
export const changedSteps: Readonly<Record<number, readonly ChangedStep[]>> = {
  1: [
    {
      state: 'cancellingShipping',
      event: 'ShipmentPickedUp',
      to: 'cancellingShipping',
      why: "noted: the saga still waits for shipping's answer to its CancelShipping (already sent), which says the parcel was picked up and moves it to shipped",
    },
  ],
};

/** Older versions refused on purpose, with what operators must do about sagas still stored in them. */
export const refusedSnapshotVersions: Readonly<Record<number, string>> = {};

/**
 * A stored saga as the current version: as it is when it is of this version (one comparison),
 * upgraded when older, else UnsupportedSnapshotVersionError (newer, refused, not a version).
 */
export function currentStoredSaga(stored: StoredSaga, orderId: string | null = null): StoredSaga {
  const version = stored.v ?? unversioned;
  if (version === sagaSnapshotVersion) return stored;
  if (!Number.isSafeInteger(version) || version < 1)
    throw new UnsupportedSnapshotVersionError(version, 'is not a version', orderId);
  if (version > sagaSnapshotVersion)
    throw new UnsupportedSnapshotVersionError(
      version,
      'is newer than this code (a later release wrote it: roll forward, not back)',
      orderId,
    );
  const refused = refusedSnapshotVersions[version];
  if (refused !== undefined)
    throw new UnsupportedSnapshotVersionError(version, `is no longer supported: ${refused}`, orderId);
  let upgraded = stored;
  for (let from = version; from < sagaSnapshotVersion; from++) {
    const upgrade = upgrades[from];
    if (upgrade === undefined)
      throw new UnsupportedSnapshotVersionError(version, `has no upgrade to version ${from + 1}`, orderId);
    upgraded = upgrade(upgraded);
  }
  return { ...upgraded, v: sagaSnapshotVersion };
}
