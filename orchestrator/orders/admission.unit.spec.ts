import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../../lib/logger.ts';
import { waitFor } from '../../test/support/wait-for.ts';
import { inFlightChange } from '../runner/saga-store.ts';
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
  };
  return counter;
};
const readsAfter = (counter: { reads: number }, n: number) =>
  waitFor(`${n} more reads`, () => (counter.reads >= n ? true : undefined), { intervalMs: 2 });

describe('admission control', () => {
  test('admits below the limit and refuses at it, counting its own admissions between reads', async () => {
    const counter = fakeCounter(3);
    const admission = await InFlightAdmission.start({
      limit: 5,
      readSagasInFlight: counter.read,
      logger,
      refreshIntervalMs: 60_000,
    });
    try {
      assert.equal(admission.admit().admitted, true);
      assert.equal(admission.refusalNow(), null);
      assert.equal(admission.refusalNow(), null, 'asking admits nothing');
      assert.equal(admission.admit().admitted, true);
      assert.deepEqual(admission.refusalNow(), {
        admitted: false,
        sagasInFlight: 5,
        limit: 5,
        retryAfterS: 1,
      });
      const refused = admission.admit();
      assert.deepEqual(refused, { admitted: false, sagasInFlight: 5, limit: 5, retryAfterS: 1 });
    } finally {
      admission.stop();
    }
  });

  test('a read replaces what it covers; creations not yet committed when it began still count', async () => {
    const counter = fakeCounter(0);
    const admission = await InFlightAdmission.start({
      limit: 10,
      readSagasInFlight: counter.read,
      logger,
      refreshIntervalMs: 5,
    });
    try {
      const committed = admission.admit();
      const creating = admission.admit();
      assert.ok(committed.admitted && creating.admitted);
      committed.settled();
      counter.value = 1; // the database sees the committed one only
      await readsAfter(counter, counter.reads + 2);
      assert.equal(admission.sagasInFlight, 2, 'the one still being created is kept on top of the read');
      creating.settled();
      counter.value = 2;
      await readsAfter(counter, counter.reads + 2);
      assert.equal(admission.sagasInFlight, 2, 'once committed it is counted by the read alone');
      counter.value = 0; // both sagas ended
      await readsAfter(counter, counter.reads + 2);
      assert.equal(admission.sagasInFlight, 0);
    } finally {
      admission.stop();
    }
  });

  test('while the counter cannot be read, decisions use the last value', async () => {
    const counter = fakeCounter(9);
    const admission = await InFlightAdmission.start({
      limit: 10,
      readSagasInFlight: counter.read,
      logger,
      refreshIntervalMs: 5,
    });
    try {
      counter.failing = true;
      await readsAfter(counter, counter.reads + 2);
      assert.equal(admission.admit().admitted, true);
      assert.equal(admission.admit().admitted, false, 'the admission above still counts');
      counter.failing = false;
      counter.value = 0;
      await readsAfter(counter, counter.reads + 2);
      assert.equal(admission.admit().admitted, true);
    } finally {
      admission.stop();
    }
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
