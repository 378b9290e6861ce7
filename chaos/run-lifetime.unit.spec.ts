import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { describe, test } from 'node:test';
import { Aborted, RunLifetime } from './run-lifetime.ts';

describe('chaos run lifetime', () => {
  test('an abort ends every wait with Aborted, and every later one at once', async () => {
    const lifetime = new RunLifetime();
    const waiting = lifetime.sleep(60_000);
    const interruption = lifetime.interruption();
    lifetime.abort();
    await assert.rejects(waiting, Aborted);
    await assert.rejects(interruption, Aborted);
    await assert.rejects(lifetime.sleep(0), Aborted);
    assert.equal(lifetime.failure, null, 'an interruption is no failure');
  });

  test('a failed lane aborts the run and is remembered; Aborted is not a failure', async () => {
    const interrupted = new RunLifetime();
    interrupted.failWith(new Aborted());
    assert.deepEqual([interrupted.aborted, interrupted.failure], [true, null]);
    const failed = new RunLifetime();
    const error = new Error('the Kafka broker could not be restarted');
    failed.failWith(error);
    assert.deepEqual([failed.aborted, failed.failure], [true, error]);
  });

  test('a wait that ends leaves no abort listener behind', async () => {
    const lifetime = new RunLifetime();
    await Promise.all([lifetime.sleep(1), lifetime.sleep(2)]);
    assert.equal(getEventListeners(lifetime.signal, 'abort').length, 0);
  });
});
