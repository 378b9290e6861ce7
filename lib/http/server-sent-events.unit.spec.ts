import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharedValue } from './server-sent-events.ts';

describe('SharedValue', () => {
  it('computes once for concurrent and fresh readers, again once stale, again after a failure', async () => {
    let calls = 0;
    let fail = false;
    const value = new SharedValue(async () => {
      calls++;
      if (fail) throw new Error('down');
      return calls;
    }, 1000);
    assert.deepEqual(await Promise.all([value.get(0), value.get(10), value.get(999)]), [1, 1, 1]);
    assert.equal(await value.get(1000), 2);
    fail = true;
    await assert.rejects(value.get(5000), /down/);
    fail = false;
    assert.equal(await value.get(5001), 4, 'a failure is not cached');
  });
});
