import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../lib/logger.ts';
import { capturedLogger } from '../../test/support/captured-logger.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { inFlightChange } from '../runner/in-flight-counter.ts';
import { admitAll, InFlightAdmission } from './admission.ts';

const logger = createLogger('admission-unit', 'silent');

/** A counter read the test controls: each call returns the current value (or throws while failing). */
const fakeCounter = (initial: number) => {
  const counter = {
    value: initial,
    failing: false,
    reads: 0,
    read: async () => {
      counter.reads += 1;
      if (counter.failing) throw new Error('database unreachable');
      return counter.value;
    },
    /** Resolves once the admission has read the counter twice more (one full read after now). */
    twoMoreReads: () => {
      const target = counter.reads + 2;
      return waitFor('two more reads', () => (counter.reads >= target ? true : undefined), { intervalMs: 2 });
    },
  };
  return counter;
};
type FakeCounter = ReturnType<typeof fakeCounter>;

/** Runs `body` with an admission over a fake counter, stopping it afterwards. */
async function withAdmission(
  { initial, limit, refreshIntervalMs }: { initial: number; limit: number; refreshIntervalMs: number },
  body: (admission: InFlightAdmission, counter: FakeCounter) => Promise<void>,
): Promise<void> {
  const counter = fakeCounter(initial);
  const admission = await InFlightAdmission.start({
    limit,
    readSagasInFlight: counter.read,
    logger,
    refreshIntervalMs,
  });
  try {
    await body(admission, counter);
  } finally {
    admission.stop();
  }
}

describe('admission control', () => {
  test('admits below the limit and refuses at it, counting its own admissions between reads', () =>
    withAdmission({ initial: 3, limit: 5, refreshIntervalMs: 60_000 }, async (admission) => {
      const refusal = { admitted: false, sagasInFlight: 5, limit: 5, retryAfterS: 1 };
      assert.equal(admission.admit().admitted, true);
      assert.equal(admission.refusalNow(), null);
      assert.equal(admission.refusalNow(), null, 'asking admits nothing');
      assert.equal(admission.admit().admitted, true);
      assert.deepEqual(admission.refusalNow(), refusal);
      assert.deepEqual(admission.admit(), refusal);
      assert.deepEqual(admission.status(), { limit: 5, sagasInFlight: 5, admitting: false, refused: 2 });
    }));

  test('a read replaces what it covers; creations not yet committed when it began still count', () =>
    withAdmission({ initial: 0, limit: 10, refreshIntervalMs: 5 }, async (admission, counter) => {
      const committed = admission.admit();
      const creating = admission.admit();
      assert.ok(committed.admitted && creating.admitted);
      committed.settled();
      counter.value = 1; // the database sees the committed one only
      await counter.twoMoreReads();
      assert.equal(admission.sagasInFlight, 2, 'the one still being created is kept on top of the read');
      creating.settled();
      counter.value = 2;
      await counter.twoMoreReads();
      assert.equal(admission.sagasInFlight, 2, 'once committed it is counted by the read alone');
      counter.value = 0; // both sagas ended
      await counter.twoMoreReads();
      assert.equal(admission.sagasInFlight, 0);
    }));

  test('while the counter cannot be read, decisions use the last value', () =>
    withAdmission({ initial: 9, limit: 10, refreshIntervalMs: 5 }, async (admission, counter) => {
      counter.failing = true;
      await counter.twoMoreReads();
      assert.equal(admission.admit().admitted, true);
      assert.equal(admission.admit().admitted, false, 'the admission above still counts');
      counter.failing = false;
      counter.value = 0;
      await counter.twoMoreReads();
      assert.equal(admission.admit().admitted, true);
    }));

  test('while orders are refused, one warning per interval says how many', async () => {
    const { logger: captured, lines } = capturedLogger();
    let clockMs = 1_000_000;
    const counter = fakeCounter(2);
    const admission = await InFlightAdmission.start({
      limit: 2,
      readSagasInFlight: counter.read,
      logger: captured,
      refreshIntervalMs: 5,
      summaryIntervalMs: 0,
      clock: () => clockMs,
    });
    const warnings = () =>
      lines.filter(
        (l) => l.msg === 'new orders refused (429): the sagas in flight reached MAX_SAGAS_IN_FLIGHT',
      );
    try {
      await counter.twoMoreReads();
      assert.equal(warnings().length, 0, 'nothing refused, nothing said');
      clockMs += 60_000; // a quiet minute, then refusals within 1.5 s
      assert.equal(admission.admit().admitted, false);
      clockMs += 1_500;
      assert.notEqual(admission.refusalNow(), null);
      assert.notEqual(admission.refusalNow(), null);
      await waitFor('the warning', () => (warnings().length > 0 ? true : undefined), { intervalMs: 2 });
      assert.deepEqual(
        {
          refused: warnings()[0]?.refused,
          sagasInFlight: warnings()[0]?.sagasInFlight,
          limit: warnings()[0]?.limit,
        },
        { refused: 3, sagasInFlight: 2, limit: 2 },
      );
      assert.equal(
        warnings()[0]?.seconds,
        1.5,
        'the period starts at the first refusal, not at start-up or the last warning',
      );
      await counter.twoMoreReads();
      assert.equal(warnings().length, 1, 'no new refusals, no new warning');
      assert.notEqual(admission.refusalNow(), null);
    } finally {
      admission.stop();
    }
    assert.equal(warnings().length, 2, 'stopping reports the refusals not yet reported');
    assert.equal(warnings()[1]?.refused, 1);
  });

  test('a failing first read and a limit below 1 are start-up errors', async () => {
    const counter = fakeCounter(0);
    counter.failing = true;
    await assert.rejects(
      InFlightAdmission.start({ limit: 1, readSagasInFlight: counter.read, logger }),
      /database unreachable/,
    );
    await assert.rejects(
      InFlightAdmission.start({ limit: 0, readSagasInFlight: async () => 0, logger }),
      /positive integer/,
    );
  });

  test('with no limit every order is admitted', () => {
    for (let i = 0; i < 3; i++) assert.equal(admitAll.admit().admitted, true);
    assert.deepEqual(admitAll.status(), { limit: null, sagasInFlight: null, admitting: true, refused: 0 });
  });
});

describe('in-flight change of a batch of saga writes', () => {
  test('ended sagas count −1, a retried FAILED saga +1, steps between +0', () => {
    assert.equal(
      inFlightChange([
        { from: 'PENDING', to: 'PENDING' },
        { from: 'PENDING', to: 'COMPLETED' },
        { from: 'PENDING', to: 'CANCELLED' },
        { from: 'PENDING', to: 'FAILED' },
        { from: 'FAILED', to: 'PENDING' },
      ]),
      -2,
    );
    assert.equal(inFlightChange([]), 0);
  });
});
